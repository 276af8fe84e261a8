package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/** Uniform p-stage chain with free communication: the closed forms of docs/simulator.md#engine, exactly. */
class ScheduleExactnessTest {
    private static final long ACT = 1000;

    @ParameterizedTest
    @CsvSource({"gpipe,1,1", "gpipe,1,5", "gpipe,2,1", "gpipe,4,3", "gpipe,4,8", "gpipe,8,16",
            "1f1b,1,4", "1f1b,2,2", "1f1b,4,1", "1f1b,4,3", "1f1b,4,8", "1f1b,8,32", "1f1b,5,7"})
    void stepTimeBubbleAndStash(String schedule, int p, int m) {
        ComputationGraph g = Fixtures.chain(p, 1.0, 2.0, ACT, 0, 0);
        ClusterSpec c = Fixtures.freeCluster(p);
        PlacementPlan plan = Fixtures.plan(g, c, Fixtures.oneDeviceEach(p), 1, m, Schedule.parse(schedule), 1, false,
                Precision.FP32, OptimizerKind.SGD);

        SimulationReport r = Simulator.simulate(g, c, plan);

        assertThat(r.stepSeconds()).isEqualTo((m + p - 1) * 3.0);
        assertThat(r.bubbleFraction()).isCloseTo((p - 1.0) / (m + p - 1), org.assertj.core.data.Offset.offset(1e-12));
        var path = r.criticalPath();
        assertThat(path.get(0).startSeconds()).isZero();
        assertThat(path.get(path.size() - 1).endSeconds()).isEqualTo(r.stepSeconds());
        for (int k = 1; k < path.size(); k++) {
            assertThat(path.get(k).startSeconds()).as("critical path is gapless at %d", k).isEqualTo(path.get(k - 1).endSeconds());
        }
        var mem = MemoryModel.perDevice(PlanValidator.validate(plan, g, c));
        for (int i = 0; i < p; i++) {
            long expected = ACT * (plan.schedule() == Schedule.GPIPE ? m : Math.min(p - i, m));
            String dev = "n0g" + i;
            assertThat(r.devices().get(dev).memory().activations()).as("stage %d", i).isEqualTo(expected);
            assertThat(mem.get(dev).activations()).isEqualTo(expected);
            assertThat(r.devices().get(dev).peakMemoryBytes()).isEqualTo(mem.get(dev).total());
        }
    }
}
