package org.modelpar.simulator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

class RooflineCostModelTest {
    private final RooflineCostModel model = new RooflineCostModel();
    private final DeviceProfile gpu = new DeviceProfile("gpu", Map.of("fp32", 10e12, "bf16", 100e12), 1L << 34, 1e12,
            new EfficiencyCurve(List.of(new EfficiencyCurve.Point(1e6, 0.1), new EfficiencyCurve.Point(1e12, 0.5))),
            EfficiencyCurve.constant(0.8), "test");

    @Test
    void computeBoundOpUsesPeakAndMatmulEfficiency() {
        OpNode op = OpNode.of("mm", "linear", "", 1e12, 2e12, 0, 0);
        OpWork work = new OpWork(1, 1, Precision.BF16, 1);
        assertThat(model.forwardSeconds(op, gpu, work)).isCloseTo(1e12 / (100e12 * 0.5), offset(1e-15));
        // 2 samples split 4 ways: 0.5e12 FLOPs; efficiency interpolated in log size between 1e6 and 1e12
        double eff = 0.1 + (Math.log(0.5e12) - Math.log(1e6)) / (Math.log(1e12) - Math.log(1e6)) * 0.4;
        assertThat(model.forwardSeconds(op, gpu, new OpWork(2, 4, Precision.BF16, 1)))
                .isCloseTo(0.5e12 / (100e12 * eff), offset(1e-15));
        assertThat(model.forwardSeconds(op, gpu, new OpWork(1, 1, Precision.FP32, 1))).isCloseTo(0.2, offset(1e-15));
    }

    @Test
    void memoryBoundOpUsesBandwidth() {
        OpNode op = OpNode.of("gelu", "gelu", "", 1, 1, 0, 1_000_000);
        double fwd = 2.0 * 1_000_000 * 8 * 0.5 / (1e12 * 0.8);
        assertThat(model.forwardSeconds(op, gpu, new OpWork(8, 1, Precision.BF16, 1))).isCloseTo(fwd, offset(1e-18));
        assertThat(model.backwardSeconds(op, gpu, new OpWork(8, 1, Precision.BF16, 1))).isCloseTo(2 * fwd, offset(1e-18));
    }

    @Test
    void measuredTimeScalesWithSamplesAndTensorParallelism() {
        OpNode op = new OpNode("x", "x", "linear", "", 1e18, 1e18, 0, 0, 0, Map.of("gpu", new MeasuredTime(0.004, 0.008)), Map.of());
        assertThat(model.forwardSeconds(op, gpu, new OpWork(8, 2, Precision.FP32, 4))).isCloseTo(0.004, offset(1e-15));
        assertThat(model.backwardSeconds(op, gpu, new OpWork(2, 1, Precision.FP32, 4))).isCloseTo(0.004, offset(1e-15));
    }

    @Test
    void tensorParallelismAddsTwoAllReducesPerTransformerLayerEachWay() {
        ComputationGraph g = Fixtures.transformerLayer(400);
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 1e-5));
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        PlacementPlan plan = new PlacementPlan("block", "", "test", "", Precision.BF16, OptimizerKind.ADAM, 4, 4, 1,
                Schedule.GPIPE, 4, List.of(new Stage(0, devices, g.ops().stream().map(OpNode::id).toList(), false)));
        PlanLayout layout = PlanValidator.validate(plan, g, c);
        StageTime st = StageCosts.of(layout, c, model, 0, Fixtures.device(1L << 40), devices);
        double allReduce = model.allReduceSeconds(c, devices, 4 * 1_000_000 / 2);
        // qkv and scores split 4 ways; the residual add runs whole on every tensor rank (no sequence parallelism)
        assertThat(st.forwardSeconds()).isCloseTo(2 * 0.01 + 0.04 + 2 * allReduce, offset(1e-15));
        assertThat(st.backwardSeconds()).isCloseTo(2 * 0.02 + 0.08 + 2 * allReduce, offset(1e-15));
        assertThat(st.tensorParallelSeconds()).isCloseTo(4 * allReduce, offset(1e-15));
        StageTime sequenceParallel = StageCosts.of(PlanValidator.validate(plan.withOptions(PlanOptions.NONE.withSequenceParallel(true)), g, c), c, model, 0,
                Fixtures.device(1L << 40), devices);
        assertThat(sequenceParallel.forwardSeconds()).isCloseTo(3 * 0.01 + 2 * allReduce, offset(1e-15));
        // backward: each column-parallel linear's input gradient reduce-scattered and its input gathered again, each
        // row-parallel one's output gradient gathered once for both its input and its weight gradient: 3 passes
        assertThat(sequenceParallel.tensorParallelSeconds()).isCloseTo(5 * allReduce, offset(1e-15));
        assertThat(StageCosts.computeSeconds(layout, c, model, 0)).isCloseTo(st.totalSeconds(), offset(1e-15));
    }

    @Test
    void stateBytesFollowTheRule() {
        assertThat(StateBytes.of(Precision.BF16, OptimizerKind.ADAM).total()).isEqualTo(16);
        assertThat(StateBytes.of(Precision.BF16, OptimizerKind.ADAM, true).total()).isEqualTo(18);
        assertThat(StateBytes.of(Precision.FP32, OptimizerKind.ADAM).total()).isEqualTo(16);
        assertThat(StateBytes.of(Precision.FP32, OptimizerKind.SGD).total()).isEqualTo(8);
        assertThat(model.optimizerSeconds(gpu, 1000, Precision.FP32, OptimizerKind.SGD)).isCloseTo(2 * 8000 / 0.8e12, offset(1e-18));
    }
}
