package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
    @Test
    void parameterBalancedSplitBalancesBytesNotTime() {
        ChainPartition p = ParameterBalancedPartitioner.partition(new long[] {100, 0, 0, 100}, 2);
        assertThat(p.boundaries()).containsExactly(0, 1, 4);
        assertThat(p.bottleneck()).isEqualTo(100.0);
    }

    @Test
    void metfHandComputedDiamond() {
        // 0 -> {1, 2} -> 3; 1 s each; transfer 0.5 s between devices; two devices with room for everything.
        // t0 on d0 [0,1]; t1 on d0 [1,2]; t2 earliest on d1 at 1.5 [1.5,2.5] (d0 would start at 2);
        // t3: on d0 waits for t2 + 0.5 = 3.0, on d1 waits for t1 + 0.5 = 2.5 -> d1 [2.5,3.5]
        double[][] c = {{1, 1}, {1, 1}, {1, 1}, {1, 1}};
        DagCosts dag = new DagCosts(c, new long[] {1, 1, 1, 1},
                List.of(new DagCosts.Edge(0, 1, 8), new DagCosts.Edge(0, 2, 8), new DagCosts.Edge(1, 3, 8),
                        new DagCosts.Edge(2, 3, 8)),
                new long[] {10, 10}, (bytes, a, b) -> 0.5);
        MetfScheduler.Placement p = MetfScheduler.place(dag);
        assertThat(p.deviceOfTask()).containsExactly(0, 0, 1, 1);
        assertThat(p.makespanSeconds()).isEqualTo(3.5);
    }

    @Test
    void metfRespectsMemory() {
        double[][] c = {{1, 1}, {1, 1}};
        DagCosts dag = new DagCosts(c, new long[] {6, 6}, List.of(new DagCosts.Edge(0, 1, 8)),
                new long[] {10, 10}, (bytes, a, b) -> 0.25);
        MetfScheduler.Placement p = MetfScheduler.place(dag);
        assertThat(p.deviceOfTask()).containsExactly(0, 1);
        assertThat(p.makespanSeconds()).isEqualTo(2.25);
        DagCosts tooBig = new DagCosts(c, new long[] {6, 11}, List.of(), new long[] {10, 10}, (bytes, a, b) -> 0);
        assertThatThrownBy(() -> MetfScheduler.place(tooBig)).hasMessageContaining("task 1 needs 11 bytes");
    }
}
