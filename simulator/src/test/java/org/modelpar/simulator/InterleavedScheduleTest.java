package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * Interleaved 1F1B on a uniform chain of p v one-op stages (each 1 s forward, 2 s backward per micro-batch)
 * with free communication: Narayanan et al. (SC'21, section 2.2) give the step {@code (m v + p - 1)(t_f + t_b)}
 * in chunk times, a bubble of {@code (p - 1)/(v m)} of the ideal time, i.e. {@code (p - 1)/(m v + p - 1)} of
 * the step; device group g stashes at most {@code min(2(p-g-1) + (v-1)p + 1, m v)} chunk micro-batches (all
 * m v when m = p, where Megatron-LM runs every forward first).
 */
class InterleavedScheduleTest {
    private static final long ACT = 1000;

    static PlacementPlan plan(ComputationGraph g, ClusterSpec c, int p, int v, int m) {
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < p * v; s++) {
            stages.add(new Stage(s, List.of("n0g" + (s % p)), List.of("op" + s), false));
        }
        return new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.SGD, m, 1, m,
                Schedule.INTERLEAVED, 1, stages, PlanOptions.NONE, v);
    }

    @ParameterizedTest
    @CsvSource({"2,2,2", "2,2,4", "2,3,6", "3,2,6", "4,2,4", "4,2,8", "4,3,8", "4,4,12", "8,2,16"})
    void stepTimeBubbleAndStash(int p, int v, int m) {
        ComputationGraph g = Fixtures.chain(p * v, 1.0, 2.0, ACT, 0, 0);
        ClusterSpec c = Fixtures.freeCluster(p);
        PlacementPlan plan = plan(g, c, p, v, m);

        SimulationReport r = Simulator.simulate(g, c, plan);

        assertThat(r.stepSeconds()).isEqualTo((m * v + p - 1) * 3.0);
        assertThat(r.bubbleFraction()).isCloseTo((p - 1.0) / (m * v + p - 1), offset(1e-12));
        double ideal = m * v * 3.0;
        assertThat((r.stepSeconds() - ideal) / ideal).isCloseTo((p - 1.0) / (v * m), offset(1e-12));
        var mem = MemoryModel.perDevice(PlanValidator.validate(plan, g, c));
        for (int group = 0; group < p; group++) {
            long chunks = m == p ? m * v : Math.min(2 * (p - group - 1) + (v - 1) * p + 1, m * v);
            String dev = "n0g" + group;
            assertThat(r.devices().get(dev).memory().activations()).as("group %d", group).isEqualTo(ACT * chunks);
            assertThat(mem.get(dev).activations()).isEqualTo(ACT * chunks);
            assertThat(r.devices().get(dev).peakMemoryBytes()).isEqualTo(mem.get(dev).total());
        }
    }

    /**
     * Each chunk stage's most stashed micro-batches, counted by hand along the two groups' orders for p = 2, v = 2,
     * m = 4: group 0 runs F0 F0 F1 F1, then F0 B1, F0 B1, F1 B0, F1 B0, then B1 B1 B0 B0 (chunk numbers), group 1
     * F0 F0, then F1 B1, F1 B1, F0 B0, F0 B0, F1 B1, F1 B1, then B0 B0; every stage's count, from one walk per group.
     */
    @Test
    void inFlightPerChunkStage() {
        ComputationGraph g = Fixtures.chain(4, 1.0, 2.0, ACT, 0, 0);
        ClusterSpec c = Fixtures.freeCluster(2);
        PlacementPlan plan = plan(g, c, 2, 2, 4);
        assertThat(MemoryModel.maxInFlight(plan)).containsExactly(4, 3, 2, 1);
        for (int s = 0; s < 4; s++) {
            assertThat(MemoryModel.maxInFlight(plan, s)).isEqualTo(MemoryModel.maxInFlight(plan)[s]);
        }
    }

    @Test
    void interleavingBeatsOneForwardOneBackwardByTheBubble() {
        int p = 4;
        int v = 2;
        int m = 8;
        ComputationGraph g = Fixtures.chain(p * v, 1.0, 2.0, ACT, 0, 0);
        ClusterSpec c = Fixtures.freeCluster(p);
        List<Stage> pairs = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            pairs.add(new Stage(s, List.of("n0g" + s), List.of("op" + 2 * s, "op" + (2 * s + 1)), false));
        }
        PlacementPlan plain = new PlacementPlan(g.name(), "", c.name(), "", Precision.FP32, OptimizerKind.SGD, m, 1, m,
                Schedule.ONE_F_ONE_B, 1, pairs);

        double oneF = Simulator.simulate(g, c, plain).stepSeconds();
        double interleaved = Simulator.simulate(g, c, plan(g, c, p, v, m)).stepSeconds();

        assertThat(oneF).isEqualTo((m + p - 1) * 6.0);
        assertThat(oneF - interleaved).isEqualTo((p - 1) * 6.0 * (1 - 1.0 / v));
    }

    /** The analytical peak of every device equals the engine's tracker on random interleaved plans. */
    @Test
    void memoryModelMatchesTheEngineOnRandomPlans() {
        java.util.Random random = new java.util.Random(14);
        for (int n = 0; n < 30; n++) {
            int p = 2 + random.nextInt(3);
            int v = 2 + random.nextInt(2);
            int d = 1 + random.nextInt(2);
            int t = 1 + random.nextInt(2);
            int m = p * (1 + random.nextInt(3));
            ComputationGraph g = Fixtures.chain(p * v, 1e-3, 2e-3, 1 + random.nextInt(1_000_000),
                    4L * random.nextInt(1000), random.nextInt(5000));
            ClusterSpec c = Fixtures.cluster(2, 8, new org.modelpar.profiles.LinkProfile(100e9, 1e-6),
                    new org.modelpar.profiles.LinkProfile(10e9, 5e-6));
            List<Stage> stages = new ArrayList<>();
            for (int s = 0; s < p * v; s++) {
                List<String> devices = new ArrayList<>();
                for (int k = 0; k < d * t; k++) {
                    int id = (s % p) * d * t + k;
                    devices.add("n" + id / 8 + "g" + id % 8);
                }
                stages.add(new Stage(s, devices, List.of("op" + s), random.nextBoolean()));
            }
            int b = d * (1 + random.nextInt(3));
            PlacementPlan plan = new PlacementPlan(g.name(), "", c.name(), "", Precision.values()[random.nextInt(3)],
                    random.nextBoolean() ? OptimizerKind.ADAM : OptimizerKind.SGD, b * m, b, m, Schedule.INTERLEAVED, t,
                    stages, PlanOptions.NONE, v);

            SimulationReport r = Simulator.simulate(g, c, plan);

            var model = MemoryModel.perDevice(PlanValidator.validate(plan, g, c));
            assertThat(model).hasSize(p * d * t);
            model.forEach((id, breakdown) -> assertThat(r.devices().get(id).memory()).as(id).isEqualTo(breakdown));
        }
    }

    @Test
    void refusesWhatMegatronRefuses() {
        ComputationGraph g = Fixtures.chain(8, 1.0, 2.0, ACT, 0, 0);
        ClusterSpec c = Fixtures.freeCluster(4);
        assertThatThrownBy(() -> plan(g, c, 4, 2, 6)).isInstanceOf(PlanException.class)
                .hasMessage("schedule interleaved needs microBatches divisible by the 4 device groups (Megatron-LM), got 6");
        List<Stage> wrong = new ArrayList<>(plan(g, c, 4, 2, 8).stages());
        wrong.set(5, new Stage(5, List.of("n0g2"), List.of("op5"), false));
        assertThatThrownBy(() -> new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 8, 1, 8,
                Schedule.INTERLEAVED, 1, wrong, PlanOptions.NONE, 2)).isInstanceOf(PlanException.class)
                .hasMessage("stage 5 runs on device group 1 (virtualStages 2) but has devices [n0g2], not stage 1's [n0g1]");
        assertThatThrownBy(() -> new PlacementPlan("chain", "", "test", "", Precision.FP32, OptimizerKind.SGD, 8, 1, 8,
                Schedule.ONE_F_ONE_B, 1, wrong, PlanOptions.NONE, 2)).isInstanceOf(PlanException.class)
                .hasMessage("virtualStages 2 needs schedule interleaved, got 1f1b");
    }
}
