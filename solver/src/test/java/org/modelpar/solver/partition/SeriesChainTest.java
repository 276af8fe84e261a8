package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesChainTest {
    @Test
    void chainStaysAChain() {
        SeriesChain c = SeriesChain.of(4, List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3}));
        assertThat(c.boundaries()).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void diamondCompressesToOneComponentAfterItsFork() {
        // x -> a, a -> b, a -> c, b -> d, c -> d, d -> y  in order x a b c d y
        SeriesChain c = SeriesChain.of(6, List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {1, 3},
                new int[] {2, 4}, new int[] {3, 4}, new int[] {4, 5}));
        assertThat(c.boundaries()).containsExactly(0, 1, 2, 5, 6);
        assertThat(c.components()).isEqualTo(4);
    }

    @Test
    void skipConnectionMergesEverythingItSpans() {
        SeriesChain c = SeriesChain.of(5, List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3},
                new int[] {3, 4}, new int[] {0, 3}));
        assertThat(c.boundaries()).containsExactly(0, 1, 4, 5);
    }

    @Test
    void splitFallsOnlyBetweenComponents() {
        // blocks 2 and 3 form one component; the fine-grained optimum (cut between them) is not reachable
        SeriesChain c = SeriesChain.of(5, List.of(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3},
                new int[] {3, 4}, new int[] {1, 3}));
        assertThat(c.boundaries()).containsExactly(0, 1, 2, 4, 5);
        StageCost cost = ChainPartitioner.summed(new double[] {1, 1, 4, 4, 1});
        ChainPartition fine = ChainPartitioner.minimizeBottleneck(5, 2, cost).orElseThrow();
        ChainPartition coarse = c.minimizeBottleneck(2, cost).orElseThrow();
        assertThat(fine.bottleneck()).isEqualTo(6.0);
        assertThat(coarse.boundaries()).containsExactly(0, 2, 5);
        assertThat(coarse.bottleneck()).isEqualTo(9.0);
        assertThat(coarse.evaluate(cost)).isEqualTo(9.0);
    }

    @Test
    void fewerComponentsThanStagesGiveFewerStages() {
        SeriesChain c = SeriesChain.of(3, List.of(new int[] {0, 2}, new int[] {0, 1}, new int[] {1, 2}));
        assertThat(c.components()).isEqualTo(2);
        assertThat(c.minimizeBottleneck(3, ChainPartitioner.summed(new double[] {1, 2, 3})).orElseThrow().boundaries())
                .containsExactly(0, 1, 3);
    }

    @Test
    void backwardEdgeIsRejected() {
        assertThatThrownBy(() -> SeriesChain.of(3, List.of(new int[] {2, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 -> 1");
    }
}
