package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;

/**
 * Tensor-parallel collectives as instructions: one transformer layer ({@link Fixtures#transformerLayer}) has 2
 * all-reduces of 1 MB per sample each way, bf16, on links of 1 GB/s without latency unless said.
 */
class TensorCollectiveTest {
    private static final double C = 1e9;

    private static ComputationGraph layer(long qkvParameterBytes) {
        return Fixtures.transformerLayer(qkvParameterBytes);
    }

    private static List<String> layerOps() {
        return layer(0).ops().stream().map(OpNode::id).toList();
    }

    private static PlacementPlan plan(List<String> devices, int t, PlanOptions options) {
        return new PlacementPlan("block", "", "test", "", Precision.BF16, OptimizerKind.ADAM, 4, 4, 1, Schedule.GPIPE, t,
                List.of(new Stage(0, devices, layerOps(), false)), options);
    }

    private static SimulationOptions options() {
        return SimulationOptions.defaults().withCostModel(new ZeroOptimizerCostModel()).withTrace(true);
    }

    @Test
    void eachPassIsFollowedByItsCollectivesWithBytesFromTheGraph() {
        ComputationGraph g = layer(400);
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 1e-6), new LinkProfile(C, 1e-5));
        StepProgram program = Lowering.lower(g, c, plan(devices, 4, PlanOptions.NONE));
        // 2 all-reduces of 1 MB x 4 samples x 0.5 (bf16) each way
        TensorCollective forward = new TensorCollective(0, 0, Direction.FORWARD, devices, 4_000_000, 2, TensorCollective.Kind.ALL_REDUCE);
        List<Instruction> ins = program.programs().get(0).instructions();
        assertThat(ins.subList(0, 4)).containsExactly(new Compute(0, 0, Direction.FORWARD, false), forward,
                new Compute(0, 0, Direction.BACKWARD, false),
                new TensorCollective(0, 0, Direction.BACKWARD, devices, 4_000_000, 2, TensorCollective.Kind.ALL_REDUCE));
        assertThat(forward.name()).isEqualTo("tp allreduce F s0 mb0");
        SimulationReport r = Simulator.simulate(g, c, plan(devices, 4, PlanOptions.NONE), options());
        // forward 0.01 + 0.01 split 4 ways of 4 samples + the residual add whole (0.04); backward twice that;
        // each collective 2 x 3/4 x 2 MB / C + 2 x 3 latencies
        double collectives = 2 * (2 * 3 / 4.0 * 2e6 / C + 6e-6);
        assertThat(r.stepSeconds()).isCloseTo(0.06 + 0.12 + 2 * collectives, offset(1e-12));
        Span tp = r.timeline().orElseThrow().spans().stream().filter(s -> s.instruction().equals(forward)).findFirst().orElseThrow();
        assertThat(tp.bytes()).isEqualTo(4_000_000);
        assertThat(tp.endSeconds() - tp.startSeconds()).isCloseTo(collectives, offset(1e-12));
        // sequence parallelism: forward each all-reduce's bytes in a reduce-scatter or all-gather pass (the same ring
        // time); backward the column-parallel linears reduce-scatter their input gradients and gather their inputs again
        // for the weight gradients, the row-parallel ones gather their output gradients once, for both their input and
        // their weight gradients (3 passes: 1.5 times the ring time); the residual add split 4 ways
        SimulationReport sp = Simulator.simulate(g, c, plan(devices, 4, PlanOptions.NONE.withSequenceParallel(true)), options());
        assertThat(sp.stepSeconds()).isCloseTo(0.03 + 0.06 + 2.5 * collectives, offset(1e-12));
        assertThat(Lowering.lower(g, c, plan(devices, 4, PlanOptions.NONE.withSequenceParallel(true))).programs().get(0)
                .instructions().get(1).name()).isEqualTo("tp rs+ag F s0 mb0");
    }

    @Test
    void theStageOutputIsSentOnlyAfterTheForwardsCollectives() {
        // two stages of t = 2: the layer on n0g0/n0g1, a chain op on n0g2/n0g3 reading its 1 MB per sample output
        ComputationGraph layer = layer(400);
        List<OpNode> ops = new java.util.ArrayList<>(layer.ops());
        ops.add(new OpNode("next", "next", "linear", "head", 0, 0, 0, 0, 0, Map.of(Fixtures.GPU, new MeasuredTime(0.01, 0.02)), Map.of()));
        List<TensorEdge> tensors = new java.util.ArrayList<>(layer.tensors());
        tensors.add(new TensorEdge("c", "add2", "next", 1_000_000));
        ComputationGraph g = ComputationGraph.of("block", 1, ops, tensors);
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 0), new LinkProfile(C, 0));
        PlacementPlan plan = new PlacementPlan("block", "", "test", "", Precision.BF16, OptimizerKind.ADAM, 4, 4, 1, Schedule.GPIPE, 2,
                List.of(new Stage(0, List.of("n0g0", "n0g1"), layerOps(), false),
                        new Stage(1, List.of("n0g2", "n0g3"), List.of("next"), false)));
        SimulationReport r = Simulator.simulate(g, c, plan, options());
        List<Span> spans = r.timeline().orElseThrow().spans();
        Span tp = spans.stream().filter(s -> s.instruction().name().equals("tp allreduce F s0 mb0") && s.device().equals("n0g0"))
                .findFirst().orElseThrow();
        Span send = spans.stream().filter(s -> s.instruction().name().equals("send act s0>s1 mb0") && s.device().equals("n0g0"))
                .findFirst().orElseThrow();
        // forward of 4 samples: qkv and scores split 2 ways (0.02 each), the residual add whole (0.04); then 2
        // all-reduces of 2 MB on a ring of 2, 2 MB each through every port
        assertThat(tp.startSeconds()).isCloseTo(0.08, offset(1e-12));
        assertThat(tp.endSeconds()).isCloseTo(0.08 + 2 * 2e6 / C, offset(1e-12));
        assertThat(send.startSeconds()).isCloseTo(tp.endSeconds(), offset(1e-12));
    }

    @Test
    void collectivesShareTheDevicesPortsWithOtherTraffic() {
        // t = 2, d = 2 on one node; the overlapped data-parallel all-reduce of qkv's gradients (1e7 parameters,
        // 5e6 per rank, 1e7 bf16 bytes) is one bucket, which runs once the backward has completed it, beside the
        // backward's tensor collectives: every port then carries one ring of each, so both run at C / 2 until the
        // tensor ring's 2e6 bytes are through
        ComputationGraph g = layer(40_000_000);
        List<String> devices = List.of("n0g0", "n0g1", "n0g2", "n0g3");
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 0), new LinkProfile(C, 0));
        PlacementPlan alone = plan(devices, 2, PlanOptions.NONE);
        PlacementPlan shared = plan(devices, 2, PlanOptions.NONE.withOverlapGradientReduce(true));
        double moved = 2 * 1 / 2.0 * (2 * 1e6); // 2 collectives of 1 MB x 2 samples x 0.5 on a ring of 2
        // forward: 0.01 + 0.01 split 2 ways of 2 samples, the residual add 0.02; backward twice that
        double compute = 0.04 + 0.08;
        SimulationReport r = Simulator.simulate(g, c, shared, options().withTrace(true));
        List<Span> spans = r.timeline().orElseThrow().spans().stream().filter(s -> s.device().equals("n0g0")
                && s.instruction() instanceof TensorCollective).toList();
        assertThat(spans.get(0).endSeconds() - spans.get(0).startSeconds()).isCloseTo(moved / C, offset(1e-12));
        assertThat(spans.get(1).endSeconds() - spans.get(1).startSeconds()).isCloseTo(2 * moved / C, offset(1e-12));
        // the ports move the same bytes after the backward either way: 2e6 of the tensor ring and 1e7 of the reduction
        assertThat(r.stepSeconds()).isCloseTo(compute + moved / C + (moved + 1e7) / C, offset(1e-12));
        // the same all-reduce after the backward: both tensor collectives alone, then the reduction of 1e7 bytes
        assertThat(Simulator.simulate(g, c, alone, options()).stepSeconds()).isCloseTo(compute + 2 * moved / C + 1e7 / C, offset(1e-12));
    }

    /**
     * Each collective counts on the stage of the op that runs it, as the executor runs it ({@code TensorParallelTest}
     * there): the 2-layer gpt cut after layer 1's first layer norm, t = 2. Stage 0 forward: the embedding lookup and
     * layer 0's attention and MLP outputs (3); backward: the input gradients of layer 0's QKV and MLP-up (2). Stage 1
     * forward: layer 1's two outputs and the logits' two loss statistics (4); backward: layer 1's two column-parallel
     * input gradients and the logits' input gradient (3). Each s h = 8 x 16 values of 4 bytes but the loss statistics'
     * s (the row maxima) and 2 s (the sums of exponentials and the target logits).
     */
    @Test
    void aLayerCutAcrossStagesCountsEachCollectiveOnTheStageOfItsOp() {
        ComputationGraph g = org.modelpar.graph.zoo.ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");
        org.modelpar.simulator.plan.TensorSplit split = org.modelpar.simulator.plan.TensorSplit.of(g);
        List<String> transformerLayers = g.ops().stream().filter(split::inTransformerLayer).map(OpNode::layer).distinct().toList();
        int cut = 1 + g.ops().indexOf(g.ops().stream()
                .filter(op -> op.layer().equals(transformerLayers.get(1)) && op.kind().equals("layernorm")).findFirst().orElseThrow());
        List<String> ids = g.ops().stream().map(OpNode::id).toList();
        PlacementPlan plan = new PlacementPlan(g.name(), "", "test", "", Precision.FP32, OptimizerKind.SGD, 2, 1, 2, Schedule.ONE_F_ONE_B, 2,
                List.of(new Stage(0, List.of("n0g0", "n0g1"), ids.subList(0, cut), false),
                        new Stage(1, List.of("n0g2", "n0g3"), ids.subList(cut, ids.size()), false)));
        ClusterSpec c = Fixtures.cluster(1, 4, new LinkProfile(C, 0), new LinkProfile(C, 0));
        var layout = org.modelpar.simulator.plan.PlanValidator.validate(plan, g, c);
        long sh = 8 * 16 * 4;
        assertThat(layout.stage(0).forwardCollectives()).containsExactly(sh, sh, sh);
        assertThat(layout.stage(0).backwardCollectives()).containsExactly(sh, sh);
        assertThat(layout.stage(1).forwardCollectives()).containsExactly(sh, sh, 8 * 4L, 8 * 8L);
        assertThat(layout.stage(1).backwardCollectives()).containsExactly(sh, sh, sh);
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (var program : Lowering.lower(g, c, plan).programs()) {
            program.instructions().stream().filter(ins -> ins instanceof TensorCollective).map(ins -> (TensorCollective) ins)
                    .forEach(tc -> counts.merge(tc.direction().shortName() + " s" + tc.stage(), tc.collectives(), (a, b) -> {
                        assertThat(b).isEqualTo(a);
                        return a;
                    }));
        }
        assertThat(counts).isEqualTo(Map.of("F s0", 3, "B s0", 2, "F s1", 4, "B s1", 3));
    }

    /**
     * With sequence parallelism a split backward (ZB-H1) runs its ring passes in two parts, as the executor's kernels
     * do: the input part per layer two column-parallel reduce-scatters and two row-parallel output-gradient gathers,
     * and the logits' reduce-scatter (2 x 4 + 1); the weight part gathers again both column-parallel inputs and both
     * row-parallel output gradients per layer, the logits' input and the embedding's output gradient (2 x 4 + 2), where
     * a whole backward runs 15 with no weight part. Every tensor is s h = 8 x 16 fp32 values per sample.
     */
    @Test
    void aSplitBackwardRegathersWhatItsWeightPartReads() {
        ComputationGraph g = org.modelpar.graph.zoo.ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=16");
        List<String> ids = g.ops().stream().map(OpNode::id).toList();
        ClusterSpec c = Fixtures.cluster(1, 2, new LinkProfile(C, 0), new LinkProfile(C, 0));
        long sh = 8 * 16 * 4;
        for (Schedule schedule : List.of(Schedule.ZB_H1, Schedule.ONE_F_ONE_B)) {
            PlacementPlan plain = new PlacementPlan(g.name(), "", "test", "", Precision.FP32, OptimizerKind.SGD, 2, 1, 2, schedule, 2,
                    List.of(new Stage(0, List.of("n0g0", "n0g1"), ids, false)));
            PlacementPlan plan = plain.withOptions(plain.options().withSequenceParallel(true));
            var stage = org.modelpar.simulator.plan.PlanValidator.validate(plan, g, c).stage(0);
            boolean split = schedule.splitsBackward();
            assertThat(stage.backwardCollectives()).as("%s", schedule).hasSize(split ? 9 : 15).containsOnly(sh);
            assertThat(stage.weightPassCollectives()).as("%s", schedule).isEqualTo(Collections.nCopies(split ? 10 : 0, sh));
        }
    }
}
