package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainPartitionerTest {
    @Test
    void handComputedChain() {
        // blocks 4 1 1 1 1 4 into 3 stages: [4] [1 1 1 1] [4] -> bottleneck 4
        ChainPartition p = ChainPartitioner.minimizeBottleneck(6, 3,
                ChainPartitioner.summed(new double[] {4, 1, 1, 1, 1, 4})).orElseThrow();
        assertThat(p.boundaries()).containsExactly(0, 1, 5, 6);
        assertThat(p.bottleneck()).isEqualTo(4.0);
    }

    @Test
    void memoryLimitForcesAnotherSplit() {
        double[] seconds = {1, 1, 1, 1};
        // every block holds 10 bytes; stage 0 may hold only 10 bytes, so it holds one block even though two would balance better
        StageCost cost = (s, from, to) -> (to - from) * 10L > (s == 0 ? 10 : 100) ? Double.POSITIVE_INFINITY
                : ChainPartitioner.summed(seconds).seconds(s, from, to);
        ChainPartition p = ChainPartitioner.minimizeBottleneck(4, 2, cost).orElseThrow();
        assertThat(p.boundaries()).containsExactly(0, 1, 4);
        assertThat(p.bottleneck()).isEqualTo(3.0);
    }

    @Test
    void emptyWhenNothingFits() {
        assertThat(ChainPartitioner.minimizeBottleneck(3, 2, (s, f, t) -> Double.POSITIVE_INFINITY)).isEmpty();
    }

    @Test
    void equalsBruteForceOnRandomChains() {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(9);
            int k = 1 + random.nextInt(n);
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                w[i] = random.nextInt(20);
            }
            StageCost cost = ChainPartitioner.summed(w);
            ChainPartition p = ChainPartitioner.minimizeBottleneck(n, k, cost).orElseThrow();
            assertThat(p.stages()).isEqualTo(k);
            assertThat(p.evaluate(cost)).isEqualTo(p.bottleneck());
            assertThat(p.bottleneck()).isEqualTo(bruteForce(w, k, 0, 0));
        }
    }

    private static double bruteForce(double[] w, int k, int from, double sofar) {
        if (k == 1) {
            double s = 0;
            for (int i = from; i < w.length; i++) {
                s += w[i];
            }
            return Math.max(sofar, s);
        }
        double best = Double.POSITIVE_INFINITY;
        double s = 0;
        for (int end = from + 1; end <= w.length - (k - 1); end++) {
            s += w[end - 1];
            best = Math.min(best, bruteForce(w, k - 1, end, Math.max(sofar, s)));
        }
        return best;
    }

    /** PipeDream's own optimum with free communication and a straight pipeline (rows *_nocomm_straight). */
    @ParameterizedTest
    @CsvSource({"vgg16,4", "vgg16,8", "vgg16,16", "gnmt,4", "gnmt,8", "gnmt,16"})
    void matchesPipeDreamNoCommStraight(String model, int k) throws IOException {
        PipeDreamData.Row row = PipeDreamData.rows().stream()
                .filter(r -> r.model().equals(model) && r.machines() == k && r.tag().endsWith("nocomm_straight"))
                .findFirst().orElseThrow();
        double[] compute = PipeDreamData.chain(model).computeSeconds();
        ChainPartition p = ChainPartitioner.minimizeBottleneck(compute.length, k, ChainPartitioner.summed(compute)).orElseThrow();
        if (model.equals("vgg16")) {
            assertThat(p.bottleneck()).isCloseTo(row.pipelineSeconds(), within(1e-12));
        } else {
            // a DAG: our chain order differs from PipeDream's antichain order, so lower is possible
            assertThat(p.bottleneck()).isLessThanOrEqualTo(row.pipelineSeconds() + 1e-12);
        }
    }

    /** No nocomm row for two machines: our bottleneck is at most the compute of PipeDream's chosen split. */
    @ParameterizedTest
    @CsvSource({"vgg16", "gnmt"})
    void twoStagesNoWorseThanPipeDreamsSplit(String model) throws IOException {
        List<Double> chosen = PipeDreamData.rows().stream()
                .filter(r -> r.model().equals(model) && r.machines() == 2 && r.straight())
                .findFirst().orElseThrow().stageCompute();
        double[] compute = PipeDreamData.chain(model).computeSeconds();
        ChainPartition p = ChainPartitioner.minimizeBottleneck(compute.length, 2, ChainPartitioner.summed(compute)).orElseThrow();
        double pipedream = chosen.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertThat(p.bottleneck()).isLessThanOrEqualTo(pipedream + 1e-6);
        assertThat(p.bottleneck()).isCloseTo(model.equals("vgg16") ? 0.370931 : 0.045936, within(1e-9));
    }
}
