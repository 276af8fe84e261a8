package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.timeline.SteadyStep;

/** The steps a garbage collection paused are those the timeline marks, and the measured step leaves them out. */
class PausedStepsTest {
    private static final int STEPS = 16;
    /** Where the garbage goes: a volatile field, so the JIT cannot prove the arrays dead and drop their allocation. */
    private static volatile byte[] sink;

    @Test
    void theTimelineMarksTheStepsACollectionPaused() throws InterruptedException {
        ComputationGraph graph = ModelZoo.build("mlp:layers=2,width=16");
        PlacementPlan plan = Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        AtomicBoolean stop = new AtomicBoolean();
        Thread garbage = new Thread(() -> {
            while (!stop.get()) {
                sink = new byte[1 << 20]; // fills the young generation again and again
            }
        });
        List<Integer> reported = new ArrayList<>();
        garbage.start();
        TrainResult r;
        try {
            r = Trainer.train(graph, Plans.lower(graph, plan),
                    new TrainOptions(STEPS, ExecutorOptions.defaults(1, 1e-2), 1, Optional.empty(), Optional.empty()),
                    s -> {
                        if (s.collections() > 0) {
                            reported.add(s.step());
                        }
                    });
        } finally {
            stop.set(true);
            garbage.join();
        }
        assertThat(reported).isNotEmpty();
        assertThat(r.timeline().pausedSteps()).isEqualTo(reported);
        List<Double> unpaused = new ArrayList<>();
        int steady = SteadyStep.firstSteady(STEPS);
        for (int step = steady; step < STEPS; step++) {
            if (!reported.contains(step)) {
                unpaused.add(r.stepSeconds().get(step));
            }
        }
        assertThat(r.pausedSteadySteps()).isEqualTo(STEPS - steady - unpaused.size());
        // the steady steps none paused, or all of them when every one was
        List<Double> counted = unpaused.isEmpty() ? r.stepSeconds().subList(steady, STEPS) : unpaused;
        assertThat(r.measuredStepSeconds()).isEqualTo(SteadyStep.typical(
                counted.stream().mapToDouble(Double::doubleValue).toArray()));
    }
}
