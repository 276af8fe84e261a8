package org.modelpar.simulator.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.RepetitionInfo;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

class MemoryModelTest {
    private static final long PARAMS = 1_000_000; // parameters per op

    private MemoryBreakdown single(Precision precision, OptimizerKind optimizer, int t) {
        ComputationGraph g = Fixtures.chain(1, 1, 1, 0, 4 * PARAMS, 0);
        ClusterSpec c = Fixtures.freeCluster(t);
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            devices.add("n0g" + i);
        }
        PlacementPlan plan = Fixtures.plan(g, c, List.of(devices), 1, 1, Schedule.GPIPE, t, false, precision, optimizer);
        return MemoryModel.perDevice(g, c, plan).get("n0g0");
    }

    @Test
    void mixedPrecisionAdamIsSixteenBytesPerParameter() {
        MemoryBreakdown m = single(Precision.BF16, OptimizerKind.ADAM, 1);
        assertThat(m.parameters()).isEqualTo(2 * PARAMS);
        assertThat(m.gradients()).isEqualTo(2 * PARAMS);
        assertThat(m.optimizer()).isEqualTo(12 * PARAMS);
        assertThat(m.total()).isEqualTo(16 * PARAMS);
    }

    @Test
    void fp32SgdIsEightAndFp32AdamSixteen() {
        assertThat(single(Precision.FP32, OptimizerKind.SGD, 1).total()).isEqualTo(8 * PARAMS);
        assertThat(single(Precision.FP32, OptimizerKind.ADAM, 1).total()).isEqualTo(16 * PARAMS);
        assertThat(single(Precision.FP16, OptimizerKind.SGD, 1).total()).isEqualTo(8 * PARAMS);
    }

    @Test
    void tensorParallelismDividesParameters() {
        assertThat(single(Precision.BF16, OptimizerKind.ADAM, 4).total()).isEqualTo(4 * PARAMS);
    }

    @Test
    void recomputationLowersPeakActivations() {
        ComputationGraph g = Fixtures.chain(4, 1, 2, 10_000, 0, 100);
        ClusterSpec c = Fixtures.freeCluster(4);
        PlacementPlan plain = Fixtures.plan(g, c, Fixtures.oneDeviceEach(4), 2, 8, Schedule.ONE_F_ONE_B, 1, false,
                Precision.BF16, OptimizerKind.ADAM);
        PlacementPlan recompute = Fixtures.plan(g, c, Fixtures.oneDeviceEach(4), 2, 8, Schedule.ONE_F_ONE_B, 1, true,
                Precision.BF16, OptimizerKind.ADAM);
        SimulationReport a = Simulator.simulate(g, c, plain);
        SimulationReport b = Simulator.simulate(g, c, recompute);
        // stage 1 keeps 3 micro-batches of (input 100 + activations 10000) x 2 samples x 2/4 bytes
        assertThat(a.devices().get("n0g1").memory().activations()).isEqualTo(3 * 10_100 * 2 / 2);
        // with recomputation: 3 inputs + one micro-batch's activations while recomputing
        assertThat(b.devices().get("n0g1").memory().activations()).isEqualTo(3 * 100 + 10_000);
        assertThat(b.peakMemoryBytes()).isLessThan(a.peakMemoryBytes());
        assertThat(b.stepSeconds()).isGreaterThan(a.stepSeconds());
        assertThat(b.tflopsPerDevice()).isGreaterThanOrEqualTo(b.modelTflopsPerDevice());
    }

    /** The analytical model and the engine's tracker agree exactly on random configurations (seeded). */
    @RepeatedTest(40)
    void analyticalPeakEqualsEnginePeak(RepetitionInfo info) {
        Random random = new Random(1000 + info.getCurrentRepetition());
        int p = 1 + random.nextInt(4);
        int d = 1 + random.nextInt(2);
        int t = 1 + random.nextInt(2);
        int m = 1 + random.nextInt(6);
        ComputationGraph g = Fixtures.chain(p, 1e-3, 2e-3, 1 + random.nextInt(1_000_000), 4L * random.nextInt(1000),
                random.nextInt(5000));
        ClusterSpec c = Fixtures.cluster(2, 8, new org.modelpar.profiles.LinkProfile(100e9, 1e-6),
                new org.modelpar.profiles.LinkProfile(10e9, 5e-6));
        List<List<String>> devices = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < p; i++) {
            List<String> stage = new ArrayList<>();
            for (int k = 0; k < d * t; k++, next++) {
                stage.add("n" + next / 8 + "g" + next % 8);
            }
            devices.add(stage);
        }
        Precision precision = Precision.values()[random.nextInt(3)];
        PlacementPlan plan = Fixtures.plan(g, c, devices, d * (1 + random.nextInt(3)), m,
                random.nextBoolean() ? Schedule.GPIPE : Schedule.ONE_F_ONE_B, t, random.nextBoolean(), precision,
                random.nextBoolean() ? OptimizerKind.ADAM : OptimizerKind.SGD);
        SimulationReport r = Simulator.simulate(g, c, plan);
        var model = MemoryModel.perDevice(PlanValidator.validate(plan, g, c));
        model.forEach((id, breakdown) -> assertThat(r.devices().get(id).memory()).as(id).isEqualTo(breakdown));
    }
}
