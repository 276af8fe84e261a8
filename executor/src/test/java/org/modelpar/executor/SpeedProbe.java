package org.modelpar.executor;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

@Tag("slow")
class SpeedProbe {
    @Test
    void probe() {
        ComputationGraph graph = TestGraphs.gpt(4, 64, 4, 32, 16);
        PlacementPlan plan = Plans.plan(graph, 1, 1, 4, 1, Schedule.GPIPE, OptimizerKind.ADAM);
        SyntheticTask task = SyntheticTask.forGraph(graph, 1);
        try (Executor ex = Executor.create(graph, Plans.lower(graph, plan), ExecutorOptions.defaults(1, 1e-3))) {
            for (int s = 0; s < 30; s++) {
                long t = System.nanoTime();
                StepResult r = ex.step(task.batch(s, 4));
                System.out.printf("step %d loss %.4f %.1f ms%n", s, r.loss(), (System.nanoTime() - t) / 1e6);
            }
            java.util.Map<String, Double> byName = new java.util.TreeMap<>();
            ex.trace().step(29).forEach(sp -> byName.merge(sp.name(), sp.seconds() * 1e3, Double::sum));
            System.out.println(byName);
        }
    }
}
