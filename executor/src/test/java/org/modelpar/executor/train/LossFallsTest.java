package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;

/** The small gpt (4 layers, hidden 64, 4 heads, sequence 32) learns: its loss halves within 200 steps on 2 devices. */
@Tag("slow")
class LossFallsTest {
    @Test
    void smallGptLossHalvesWithin200StepsOnTwoDevices() {
        ComputationGraph graph = ModelZoo.build("gpt:layers=4,hidden=64,heads=4,seq=32,vocab=64");
        PlacementPlan plan = Plans.plan(graph, 2, 1, 4, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        TrainResult r = Trainer.train(graph, Plans.lower(graph, plan),
                new TrainOptions(200, ExecutorOptions.defaults(1, 3e-3), 1, Optional.empty(), Optional.empty()), s -> { });
        List<Double> l = r.losses();
        double first = l.get(0);
        double best = l.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        int halvedAt = -1;
        for (int i = 0; i < l.size() && halvedAt < 0; i++) {
            if (l.get(i) <= first / 2) {
                halvedAt = i;
            }
        }
        System.out.printf("LOSS gpt 4x64 on 2 devices: first %.4f, step 50 %.4f, step 100 %.4f, last %.4f, best %.4f, halved at step %d%n",
                first, l.get(50), l.get(100), l.get(l.size() - 1), best, halvedAt);
        assertThat(halvedAt).isBetween(0, 199);
    }
}
