package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;

/** Which program places which graph: the path each DAG takes, as the explanation's {@code placement:} line says it. */
class StagePlacerTest {
    @Test
    void aMixtureOfExpertsWhoseLayersFormAChainIsPlacedExactlyByLayer() {
        // each layer's 8 experts hang between its router and its combine: the ops' DAG has 2^8 ideals per layer and its
        // series chains leave 513 blocks, but the 34 layer blocks form a chain
        StagePlacer placer = StagePlacer.of(ModelZoo.build("mixtral-8x7b"), 256);
        assertThat(placer.blocks().isChain()).isTrue();
        assertThat(placer.blocks().size()).isEqualTo(34);
        assertThat(placer.method()).isEqualTo("exact dynamic program over the chain of 34 layer blocks (not split further:"
                + " its series chains leave 513 blocks, more than --max-blocks 256)");
        assertThat(placer.refineWithTimefold(false)).isFalse();
    }

    @Test
    void anEncoderDecoderWhoseLayersAreNoChainFallsBackToTheOrder() {
        // the encoder's output feeds every decoder layer's cross-attention: the layer blocks are no chain
        ComputationGraph t5 = ModelZoo.build("t5-11b");
        assertThat(BlockSet.ofLayers(t5, 256).isChain()).isFalse();
        StagePlacer placer = StagePlacer.of(t5, 256);
        assertThat(placer.method()).startsWith("dynamic program along the order of 256 blocks, refined by Timefold (not exact:");
        assertThat(placer.refineWithTimefold(false)).isTrue();
    }

    @Test
    void aRandomDagFallsBackToTheOrder() {
        StagePlacer placer = StagePlacer.of(ModelZoo.build("dag:ops=250,seed=1"), 256);
        assertThat(placer.method()).isEqualTo("dynamic program along the order of 250 blocks, refined by Timefold"
                + " (not exact: its DAG has more than 1500 ideals even with the series chains contracted)");
    }
}
