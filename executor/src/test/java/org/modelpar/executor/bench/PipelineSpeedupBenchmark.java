package org.modelpar.executor.bench;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.Batch;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.executor.Executor;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.executor.profile.Timing;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/**
 * bench/executor-overhead.sh: throughput of a balanced 2-stage 1F1B pipeline on 2 workers over the same
 * model on 1 worker, same global batch (mlp 7 x 512, 32 micro-batches of 256), in one run: both executors
 * warm up, then their steps alternate (so drift in the machine's load hits both alike) and the medians are
 * compared. Issue 5 asks for at least 1.7x; the 1F1B bound for p = 2 is 2 m / (m + 1): 1.94x for m = 32
 * (1.88x for m = 16, whose bubble of 1/17 left 1.65-1.74x). Small kernels scale worse on two threads of a
 * 2-core machine (fixed per-call costs and the runtime's own threads): with 16 micro-batches, micro-batches
 * of 64 gave 1.55x, of 128 1.64x, of 256 1.72x. Override with
 * {@code -Dbench.model=..., -Dbench.microBatchSize=..., -Dbench.microBatches=...}.
 */
@Tag("slow")
class PipelineSpeedupBenchmark {
    private static final int WARMUP = 8;
    private static final int STEPS = 16;
    private static final int MICRO_BATCHES = Integer.getInteger("bench.microBatches", 32);
    private static final int MICRO_BATCH_SIZE = Integer.getInteger("bench.microBatchSize", 256);
    private static final String MODEL = System.getProperty("bench.model", "mlp:layers=7,width=512");

    @Test
    void twoStagesOverOneWorker() {
        ComputationGraph graph = ModelZoo.build(MODEL);
        PlacementPlan one = Plans.plan(graph, 1, 1, MICRO_BATCH_SIZE, MICRO_BATCHES, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan two = Plans.plan(graph, 2, 1, MICRO_BATCH_SIZE, MICRO_BATCHES, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        SyntheticTask task = SyntheticTask.forGraph(graph, 1);
        List<Batch> batches = java.util.stream.IntStream.range(0, WARMUP + STEPS)
                .mapToObj(i -> task.batch(i, one.globalBatchSize())).toList();
        double[] t1 = new double[STEPS];
        double[] t2 = new double[STEPS];
        double busy1;
        double busy2;
        try (Executor a = Executor.create(graph, Plans.lower(graph, one), ExecutorOptions.defaults(1, 1e-3));
             Executor b = Executor.create(graph, Plans.lower(graph, two), ExecutorOptions.defaults(1, 1e-3))) {
            for (int i = 0; i < WARMUP; i++) {
                a.step(batches.get(i));
                b.step(batches.get(i));
            }
            for (int i = 0; i < STEPS; i++) {
                t1[i] = a.step(batches.get(WARMUP + i)).seconds();
                t2[i] = b.step(batches.get(WARMUP + i)).seconds();
            }
            busy1 = computePerDeviceAndStep(a, one);
            busy2 = computePerDeviceAndStep(b, two);
        }
        double m1 = Timing.typical(t1);
        double m2 = Timing.typical(t2);
        System.out.printf("BENCH executor-pipeline: 1 worker %.1f ms/step, 2-stage pipeline %.1f ms/step, speedup %.2fx"
                + " (target >= 1.7x, 1F1B bound %.2fx), %d cores available%n", m1 * 1e3, m2 * 1e3, m1 / m2,
                2.0 * MICRO_BATCHES / (MICRO_BATCHES + 1),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("BENCH executor-pipeline: compute per device and step %.1f ms on 1 worker, %.1f ms on each of 2"
                + " (%.2fx of half the work: two ND4J threads slowing each other)%n", busy1 * 1e3, busy2 * 1e3, 2 * busy2 / busy1);
    }

    /** Mean seconds per device and measured step spent in compute instructions. */
    private static double computePerDeviceAndStep(Executor ex, PlacementPlan plan) {
        double sum = ex.timeline().spans().stream().filter(s -> s.step() >= WARMUP && s.stream() == Stream.COMPUTE)
                .mapToDouble(Span::seconds).sum();
        return sum / (STEPS * plan.pipelineStages());
    }
}
