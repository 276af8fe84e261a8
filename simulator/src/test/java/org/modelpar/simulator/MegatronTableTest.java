package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * Every row of Megatron-LM's SC'21 weak-scaling table (../shared/data/megatron/README.md) with Megatron's own
 * settings as far as the simulator models them: t, p, d, micro-batch size per replica and micro-batch count
 * per row, full recomputation of every layer, fp16 with Adam, scatter/gather sends for t above 1, the interleaved
 * 1F1B schedule with Megatron's model chunks per device where the table gives them (plain 1F1B elsewhere), the
 * gradient all-reduce overlapped for the rows up to 18B and after the backward from 39B, tensor-parallel
 * collectives as instructions of their own and GEMMs priced by shape. Prints the table; checks that every row
 * fits and that its paper-formula throughput is not above the executed one. Only the 1.7B row is a calibration
 * target.
 */
@Tag("slow")
class MegatronTableTest {
    /** preset, t, p, d, micro-batch size per replica, micro-batches, layers, hidden, overlapped all-reduce, model chunks per device. */
    private static final Object[][] ROWS = {
        {"1.7b", 1, 1, 32, 16, 1, 24, 2304, true, 1},
        {"3.6b", 2, 1, 32, 16, 1, 30, 3072, true, 1},
        {"7.5b", 4, 1, 32, 16, 1, 36, 4096, true, 1},
        {"18b", 8, 1, 32, 8, 4, 40, 6144, true, 1},
        {"39b", 8, 2, 32, 4, 12, 48, 8192, false, 1},
        {"76b", 8, 4, 32, 2, 28, 60, 10240, false, 3},
        {"145b", 8, 8, 24, 2, 48, 80, 12288, false, 2},
        {"310b", 8, 16, 15, 1, 144, 96, 16384, false, 2},
        {"530b", 8, 35, 9, 1, 280, 105, 20480, false, 3},
        {"1t", 8, 64, 6, 1, 512, 128, 25600, false, 1},
    };

    @Test
    void everyRowSimulates() {
        System.out.println("| preset | t | p | v | d | GPUs | step s | TFLOP/s per GPU (executed) | model | paper formula | samples/s | peak GiB | simulated in s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Object[] row : ROWS) {
            int t = (int) row[1];
            int p = (int) row[2];
            int d = (int) row[3];
            int gpus = t * p * d;
            ComputationGraph graph = ModelZoo.build("megatron-" + row[0]);
            ClusterSpec cluster = Clusters.resolve("dgx-a100:" + gpus / 8);
            int v = (int) row[9];
            ParallelConfig config = new ParallelConfig(p, t, d, (int) row[5], (int) row[4],
                    v > 1 ? Schedule.INTERLEAVED : Schedule.ONE_F_ONE_B, Recompute.FULL, Precision.FP16, OptimizerKind.ADAM, v);
            long start = System.nanoTime();
            PlacementPlan plan = StageBalancer.plan(graph, cluster, config, new org.modelpar.simulator.cost.RooflineCostModel())
                    .withOptions(new PlanOptions(false, t > 1, (boolean) row[8]));
            SimulationReport r = Simulator.simulate(graph, cluster, plan, SimulationOptions.defaults().withTrace(false));
            double seconds = (System.nanoTime() - start) / 1e9;
            double b = plan.globalBatchSize();
            double l = (int) row[6];
            double h = (int) row[7];
            double paper = 96 * b * 2048 * l * h * h * (1 + 2048 / (6 * h) + 51200 / (16 * l * h)) / r.stepSeconds() / gpus / 1e12;
            long peak = r.devices().values().stream().mapToLong(DeviceReport::peakMemoryBytes).max().orElseThrow();
            System.out.printf("| megatron-%s | %d | %d | %d | %d | %d | %.3f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", row[0], t, p, v, d,
                    gpus, r.stepSeconds(), r.tflopsPerDevice(), r.modelTflopsPerDevice(), paper, r.samplesPerSecond(),
                    peak / (double) (1L << 30), seconds);
            assertThat(r.fits()).as("megatron-%s fits", row[0]).isTrue();
            assertThat(paper).isLessThanOrEqualTo(r.tflopsPerDevice() * 1.0001);
        }
    }
}
