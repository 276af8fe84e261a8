package org.modelpar.simulator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.KernelLaunches.OpLaunches;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/** The roofline model's per-launch charge, {@code launches x kernelLaunchSeconds}, against hand-computed values. */
class KernelLaunchCostTest {
    private static final double LAUNCH = 1e-5;
    private final RooflineCostModel model = new RooflineCostModel();

    /** The counts a runtime lists for the kinds these tests use (forward, backward, parameter tensors). */
    private static final KernelLaunches COUNTS = new KernelLaunches(Map.of("linear", new OpLaunches(3, 8, 2),
            "gelu", new OpLaunches(9, 20, 0), "mse-loss", new OpLaunches(3, 2, 0)), Map.of("adam", 2, "sgd", 2));

    /** 1 TFLOP/s fp32, 1 TB/s, both at efficiency 0.5, {@code launch} seconds per kernel, {@link #COUNTS}. */
    private static DeviceProfile device(double launch) {
        return new DeviceProfile("d", Map.of("fp32", 1e12), 1L << 40, 1e12, EfficiencyCurve.constant(0.5),
                EfficiencyCurve.constant(0.5), launch, "test").withKernelLaunches(COUNTS);
    }

    @Test
    void linearChargesThreeForwardAndEightBackwardLaunches() {
        // 1e6 FLOPs forward (2e6 backward) per sample, 1000 activation bytes, 4000 parameter bytes
        OpNode linear = OpNode.of("fc", "linear", "", 1e6, 2e6, 4000, 1000);
        OpWork work = new OpWork(2, 1, Precision.FP32, 1);
        // forward: compute 2e6 / (1e12 x 0.5) = 4 us; memory (2 x 1000 x 2 + 4000) / (1e12 x 0.5) = 16 ns
        assertThat(model.forwardSeconds(linear, device(LAUNCH), work)).isCloseTo(3 * LAUNCH + 4e-6, offset(1e-15));
        // backward: compute 4e6 / 5e11 = 8 us
        assertThat(model.backwardSeconds(linear, device(LAUNCH), work)).isCloseTo(8 * LAUNCH + 8e-6, offset(1e-15));
        assertThat(model.forwardSeconds(linear, device(0), work)).isCloseTo(4e-6, offset(1e-15));
    }

    @Test
    void memoryBoundOpPaysItsLaunchesOnTopOfBandwidth() {
        OpNode gelu = OpNode.of("g", "gelu", "", 0, 0, 0, 500_000);
        // 2 x 500,000 B x 1 sample / (1e12 x 0.5) = 2 us forward, twice that backward
        OpWork work = new OpWork(1, 1, Precision.FP32, 1);
        assertThat(model.forwardSeconds(gelu, device(LAUNCH), work)).isCloseTo(9 * LAUNCH + 2e-6, offset(1e-15));
        assertThat(model.backwardSeconds(gelu, device(LAUNCH), work)).isCloseTo(20 * LAUNCH + 4e-6, offset(1e-15));
    }

    @Test
    void noSamplesNoLaunches() {
        OpNode linear = OpNode.of("fc", "linear", "", 1e6, 2e6, 4000, 1000);
        assertThat(model.forwardSeconds(linear, device(LAUNCH), new OpWork(0, 1, Precision.FP32, 1))).isZero();
    }

    @Test
    void optimizerPaysItsLaunchesPerParameterTensor() {
        // Adam fp32: 16 state bytes per parameter read and written: 2 x 1000 x 16 / 5e11 = 64 ns
        double memory = 2.0 * 1000 * 16 / 5e11;
        assertThat(model.optimizerSeconds(device(LAUNCH), 1000, 3, Precision.FP32, OptimizerKind.ADAM))
                .isCloseTo(3 * 2 * LAUNCH + memory, offset(1e-15));
        assertThat(model.optimizerSeconds(device(LAUNCH), 1000, 3, Precision.FP32, OptimizerKind.SGD))
                .isCloseTo(3 * 2 * LAUNCH + model.optimizerSeconds(device(0), 1000, Precision.FP32, OptimizerKind.SGD),
                        offset(1e-15));
    }

    @Test
    void aMeasuredOpKeepsItsLaunchesFixedAndScalesTheRest() {
        // forward measured 1 ms at 4 samples; a linear op launches 3 kernels forward: 3 x 10 us fixed
        OpNode op = new OpNode("fc", "fc", "linear", "", 0, 0, 0, 0, 0, Map.of("d", new MeasuredTime(1e-3, 2e-3)), Map.of());
        assertThat(model.forwardSeconds(op, device(LAUNCH), new OpWork(4, 1, Precision.FP32, 4))).isCloseTo(1e-3, offset(1e-15));
        OpWork eight = new OpWork(8, 1, Precision.FP32, 4);
        assertThat(model.forwardSeconds(op, device(LAUNCH), eight)).isCloseTo(3e-5 + (1e-3 - 3e-5) * 2, offset(1e-15));
        // without a launch cost the whole time scales (PipeDream's profiles on the catalog GPUs); no samples, no time
        assertThat(model.forwardSeconds(op, device(0), eight)).isCloseTo(2e-3, offset(1e-15));
        assertThat(model.backwardSeconds(op, device(LAUNCH), new OpWork(0, 1, Precision.FP32, 4))).isZero();
        // a measured fixed part replaces the launches: backward 2 ms of which 1.2 ms fixed
        OpNode split = new OpNode("fc", "fc", "linear", "", 0, 0, 0, 0, 0,
                Map.of("d", new MeasuredTime(1e-3, 2e-3, 0, 1.2e-3)), Map.of());
        assertThat(model.backwardSeconds(split, device(LAUNCH), new OpWork(1, 1, Precision.FP32, 4)))
                .isCloseTo(1.2e-3 + 0.8e-3 / 4, offset(1e-15));
        assertThat(model.forwardSeconds(split, device(LAUNCH), new OpWork(1, 1, Precision.FP32, 4)))
                .isCloseTo(1e-3 / 4, offset(1e-15));
    }

    @Test
    void aMeasuredOptimizerRateReplacesTheBandwidthEstimate() {
        DeviceProfile measured = new DeviceProfile("d", Map.of("fp32", 1e12), 1L << 40, 1e12, EfficiencyCurve.constant(0.5),
                EfficiencyCurve.constant(0.5), LAUNCH, Map.of("adam", 7e-9), COUNTS, "test");
        // 1000 parameters x 7 ns, plus 3 tensors x 2 launches; SGD has no measurement: the bandwidth estimate
        assertThat(model.optimizerSeconds(measured, 1000, 3, Precision.FP32, OptimizerKind.ADAM))
                .isCloseTo(1000 * 7e-9 + 3 * 2 * LAUNCH, offset(1e-15));
        assertThat(model.optimizerSeconds(measured, 1000, 3, Precision.FP32, OptimizerKind.SGD))
                .isEqualTo(model.optimizerSeconds(device(LAUNCH), 1000, 3, Precision.FP32, OptimizerKind.SGD));
    }

    @Test
    void countsComeFromTheDeviceProfileAndUnlistedOnesAreOneKernel() {
        assertThat(OpLaunchCounts.of(OpNode.of("l", "linear", "", 0, 0, 40, 0), device(LAUNCH)))
                .isEqualTo(new OpLaunches(3, 8, 2));
        assertThat(OpLaunchCounts.of(OpNode.of("c", "conv2d", "", 0, 0, 40, 0), device(LAUNCH)))
                .isEqualTo(new OpLaunches(1, 2, 1));
        assertThat(OpLaunchCounts.of(OpNode.of("p", "maxpool", "", 0, 0, 0, 0), device(LAUNCH)))
                .isEqualTo(new OpLaunches(1, 2, 0));
        DeviceProfile bare = device(LAUNCH).withKernelLaunches(KernelLaunches.NONE);
        assertThat(OpLaunchCounts.of(OpNode.of("l", "linear", "", 0, 0, 40, 0), bare)).isEqualTo(new OpLaunches(1, 2, 1));
        assertThat(OpLaunchCounts.optimizerPerTensor(OptimizerKind.ADAM, device(LAUNCH))).isEqualTo(2);
        assertThat(OpLaunchCounts.optimizerPerTensor(OptimizerKind.ADAM, bare)).isEqualTo(1);
    }

    /**
     * One device, one micro-batch, free links: the step is forward + backward + optimizer, so launches
     * add exactly (linear 3 + 8, mse loss 3 + 2, Adam 2 x 2) x launch.
     */
    @Test
    void stepTimeGrowsByEveryLaunchOfTheStep() {
        List<OpNode> ops = List.of(OpNode.of("fc", "linear", "", 1e6, 2e6, 4000, 1000),
                OpNode.of("loss", "mse-loss", "", 1e3, 1e3, 0, 10));
        ComputationGraph g = ComputationGraph.of("tiny", 1, ops, List.of(new TensorEdge("y", "fc", "loss", 1000)));
        PlacementPlan plan = new PlacementPlan("tiny", "", "c", "", Precision.FP32, OptimizerKind.ADAM, 4, 4, 1,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("g0"), List.of("fc", "loss"), false)));
        double with = Simulator.simulate(g, cluster(LAUNCH), plan).stepSeconds();
        double without = Simulator.simulate(g, cluster(0), plan).stepSeconds();
        int launches = 3 + 8 + 3 + 2 + 2 * 2;
        assertThat(with - without).isCloseTo(launches * LAUNCH, offset(1e-12));
    }

    @Test
    void catalogPredictionsDoNotMove() {
        // the catalog GPUs charge no separate launch: their curves carry it (docs/profiles.md)
        ComputationGraph gpt = ModelZoo.build("gpt-tiny");
        DeviceProfile a100 = Catalog.device("a100-sxm4-80gb");
        OpWork work = new OpWork(8, 1, Precision.BF16, 1);
        for (OpNode op : gpt.topologicalOrder()) {
            double shape = GemmShape.of(op, work).map(GemmShape::efficiency).orElse(1.0);
            assertThat(model.forwardSeconds(op, a100, work)).isEqualTo(RooflineCostModel.roofline(a100, Precision.BF16,
                    op.forwardFlops() * 8, shape, (2.0 * op.activationBytes() * 8 + op.parameterBytes()) * 0.5));
        }
    }

    private static ClusterSpec cluster(double launch) {
        LinkProfile free = new LinkProfile(1e30, 0);
        return new ClusterSpec("c", List.of(new ClusterDevice("g0", "n0", device(launch))), free, free);
    }
}
