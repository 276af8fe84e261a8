package org.modelpar.executor.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.Batch;
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
 * bench/executor-pipeline.sh: throughput of a balanced 2-stage 1F1B pipeline on 2 workers over the same
 * model on 1 worker, same global batch (8 micro-batches), medians of many steps in one run. Issue 5
 * asks for at least 1.7x (the 1F1B bound for p = 2, m = 8 is 2 m / (m + 1) = 1.78x).
 */
@Tag("slow")
class PipelineSpeedupBenchmark {
    private static final int STEPS = 12;

    @Test
    void twoStagesOverOneWorker() {
        ComputationGraph graph = ModelZoo.build("mlp:layers=7,width=512");
        PlacementPlan one = Plans.plan(graph, 1, 1, 64, 8, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        PlacementPlan two = Plans.plan(graph, 2, 1, 64, 8, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        double t1 = median(graph, one);
        double t2 = median(graph, two);
        System.out.printf("BENCH executor-pipeline: 1 worker %.1f ms/step, 2-stage pipeline %.1f ms/step, speedup %.2fx"
                + " (target >= 1.7x, 1F1B bound 1.78x), %d cores available%n", t1 * 1e3, t2 * 1e3, t1 / t2,
                Runtime.getRuntime().availableProcessors());
    }

    private static double median(ComputationGraph graph, PlacementPlan plan) {
        SyntheticTask task = SyntheticTask.forGraph(graph, 1);
        double[] s = new double[STEPS];
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 1e-3))) {
            for (int i = 0; i < 3; i++) {
                ex.step(task.batch(i, plan.globalBatchSize()));
            }
            for (int i = 0; i < STEPS; i++) {
                Batch b = task.batch(i, plan.globalBatchSize());
                s[i] = ex.step(b).seconds();
            }
        }
        return Timing.median(s);
    }
}
