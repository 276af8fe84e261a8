package org.modelpar.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Numbers the solver's 64-bit nanosecond scores and the simulator's byte sums cannot hold are refused where read. */
class OpNodeLimitsTest {
    @Test
    void flopsBeyondTheSolversRangeAreRefusedNamingTheOpAndField() {
        assertThatThrownBy(() -> OpNode.of("mlp", "linear", "block0", 1e300, 0, 0, 0))
                .isInstanceOf(GraphException.class)
                .hasMessage("op 'mlp': forwardFlops must be at most 1.0E18 FLOPs per sample, got 1.0E300");
        assertThat(OpNode.of("mlp", "linear", "block0", 1e18, 1e18, 0, 0).backwardFlops()).isEqualTo(1e18);
    }

    @Test
    void bytesBeyondAPebibyteAreRefused() {
        assertThatThrownBy(() -> OpNode.of("embed", "embedding", "", 0, 0, Long.MAX_VALUE / 2, 0))
                .isInstanceOf(GraphException.class)
                .hasMessageStartingWith("op 'embed': parameterBytes must be at most 1125899906842624 bytes");
        assertThatThrownBy(() -> new TensorEdge("t", "a", "b", (1L << 50) + 1))
                .hasMessageContaining("bytes must be at most");
    }
}
