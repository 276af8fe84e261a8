package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PipeDreamPartitionerTest {
    @Test
    void stageTimeClosedForm() {
        // C = 1 s, P = 1e9 bytes, r = 2, B = 1e9 B/s: (1 + 4 * 1 * 1e9 / 2e9) / 2 = 1.5
        assertThat(PipeDreamPartitioner.stageTime(1.0, 1e9, 2, 1e9)).isEqualTo(1.5);
    }

    @Test
    void handComputedReplication() {
        // two blocks, 2 machines, no parameters: replicate everything (time 3/2) beats splitting (max 2, 1)
        PipeDreamPartitioner.Profile profile = new PipeDreamPartitioner.Profile(
                new double[] {2, 1}, new double[] {0, 0}, new double[] {0, 0});
        ChainPartition p = PipeDreamPartitioner.partition(profile, 2, 1e9, false, false).orElseThrow();
        assertThat(p.bottleneck()).isEqualTo(1.5);
        assertThat(p.replicas()).containsExactly(2);
        ChainPartition straight = PipeDreamPartitioner.partition(profile, 2, 1e9, true, false).orElseThrow();
        assertThat(straight.bottleneck()).isEqualTo(2.0);
        assertThat(straight.boundaries()).containsExactly(0, 1, 2);
    }

    /** Every single-level VGG-16 row without a memory limit: VGG is a chain, so the result must be identical. */
    @Test
    void reproducesEveryVggRow() throws IOException {
        PipeDreamPartitioner.Profile vgg = PipeDreamData.chain("vgg16");
        List<PipeDreamData.Row> rows = PipeDreamData.rows().stream()
                .filter(r -> r.model().equals("vgg16") && !r.flags().contains("memory")).toList();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(20);
        for (PipeDreamData.Row row : rows) {
            ChainPartition p = PipeDreamPartitioner.partition(vgg, row.machines(), row.bandwidth(), row.straight(),
                    row.countsActivations()).orElseThrow();
            assertThat(p.bottleneck()).as(row.tag()).isCloseTo(row.pipelineSeconds(), within(1e-9 * row.pipelineSeconds()));
            String replicas = p.replicas().stream().map(String::valueOf).collect(Collectors.joining("-"));
            assertThat(replicas).as(row.tag()).isEqualTo(row.replicas());
        }
    }

    /** GNMT is a DAG laid out in a topological order, a different chain than PipeDream's antichain order. */
    @Test
    void gnmtNoCommRowsNoWorse() throws IOException {
        PipeDreamPartitioner.Profile gnmt = PipeDreamData.chain("gnmt");
        List<PipeDreamData.Row> rows = PipeDreamData.rows().stream()
                .filter(r -> r.model().equals("gnmt") && r.tag().contains("nocomm")).toList();
        assertThat(rows).hasSize(5);
        for (PipeDreamData.Row row : rows) {
            ChainPartition p = PipeDreamPartitioner.partition(gnmt, row.machines(), row.bandwidth(), row.straight(),
                    false).orElseThrow();
            assertThat(p.bottleneck()).as(row.tag()).isLessThanOrEqualTo(row.pipelineSeconds() * (1 + 1e-9));
        }
    }
}
