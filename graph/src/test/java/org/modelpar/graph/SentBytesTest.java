package org.modelpar.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SentBytesTest {
    private final OpNode qkv = new OpNode("qkv", "qkv", "linear", "l0", 1, 2, 0, 12, 0, Map.of(), Map.of());

    @Test
    void anOutputReadTwiceIsSentOnce() {
        assertThat(SentBytes.of(qkv, List.of(new TensorEdge("a", "qkv", "x", 12), new TensorEdge("b", "qkv", "y", 12))))
                .isEqualTo(12);
    }

    @Test
    void disjointSlicesAddUp() {
        assertThat(SentBytes.of(qkv, List.of(new TensorEdge("qk", "qkv", "scores", 8)))).isEqualTo(8);
        assertThat(SentBytes.of(qkv, List.of(new TensorEdge("qk", "qkv", "scores", 8), new TensorEdge("v", "qkv", "ctx", 4))))
                .isEqualTo(12);
    }
}
