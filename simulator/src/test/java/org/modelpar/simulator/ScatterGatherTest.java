package org.modelpar.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.cost.StageCosts;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.BoundaryAllGather;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Scatter/gather sends (Narayanan et al. 2021, section 4.1): each of t tensor ranks sends 1/t of the boundary
 * tensor, the receiving replica all-gathers it (forward: activations, backward: gradients), and message
 * buffers hold 1/t.
 */
class ScatterGatherTest {
    @Test
    void sendsATthAndAllGathersOnTheReceivingSide() {
        // two ops, 1000 fp32 bytes per sample between them; stage i on devices n{i}g0, n{i}g1 (t = 2)
        ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 0, 0, 1000);
        ClusterSpec c = Fixtures.cluster(2, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6));
        PlacementPlan whole = Fixtures.plan(g, c, List.of(List.of("n0g0", "n0g1"), List.of("n1g0", "n1g1")), 4, 2,
                Schedule.ONE_F_ONE_B, 2, false, Precision.BF16, OptimizerKind.SGD);
        PlacementPlan sg = whole.withOptions(PlanOptions.NONE.withScatterGather(true));
        // 1000 x 4 samples x 2 bytes / 4 = 2000 bytes whole, 1000 per rank with scatter/gather
        assertThat(sends(g, c, whole)).containsOnly(2000L);
        assertThat(sends(g, c, sg)).containsOnly(1000L);
        RooflineCostModel cost = new RooflineCostModel();
        var device = c.devices().get(0).profile();
        PlanLayout plain = PlanValidator.validate(whole, g, c);
        PlanLayout gathered = PlanValidator.validate(sg, g, c);
        double gather = cost.allGatherSeconds(c, List.of("n1g0", "n1g1"), 2000);
        var before = StageCosts.of(plain, c, cost, 1, device, List.of("n1g0", "n1g1"));
        var after = StageCosts.of(gathered, c, cost, 1, device, List.of("n1g0", "n1g1"));
        assertThat(after.forwardSeconds()).isCloseTo(before.forwardSeconds() + gather, offset(1e-15));
        assertThat(after.backwardSeconds()).isCloseTo(before.backwardSeconds(), offset(1e-15)); // sends no gradient on
        var first = StageCosts.of(gathered, c, cost, 0, device, List.of("n0g0", "n0g1"));
        assertThat(first.backwardSeconds()).isCloseTo(StageCosts.of(plain, c, cost, 0, device, List.of("n0g0", "n0g1"))
                .backwardSeconds() + cost.allGatherSeconds(c, List.of("n0g0", "n0g1"), 2000), offset(1e-15));
        // messages: (min(p, m) + 1) x (in + out) x samples x 2 bytes / 4, then / t
        assertThat(MemoryModel.perDevice(plain).get("n0g0").messages()).isEqualTo(3 * 2000);
        assertThat(MemoryModel.perDevice(gathered).get("n0g0").messages()).isEqualTo(3 * 1000);
    }

    /**
     * Stage 1 (n1g0, n1g1) all-gathers the activations it received, 2000 bytes for its 4 samples in bf16, before
     * each forward, stage 0 the gradients before each backward; on the node's 100 GB/s links with 1 us latency one
     * ring pass moves (2-1)/2 x 2000 bytes: 1 us + 10 ns, starting when both ranks have received their half.
     */
    @Test
    void theReceivingReplicaAllGathersOnItsNodeBeforeItsCompute() {
        ComputationGraph g = Fixtures.chain(2, 1e-3, 2e-3, 0, 0, 1000);
        ClusterSpec c = Fixtures.cluster(2, 2, new LinkProfile(100e9, 1e-6), new LinkProfile(10e9, 5e-6));
        PlacementPlan sg = Fixtures.plan(g, c, List.of(List.of("n0g0", "n0g1"), List.of("n1g0", "n1g1")), 4, 2,
                Schedule.ONE_F_ONE_B, 2, false, Precision.BF16, OptimizerKind.SGD)
                .withOptions(PlanOptions.NONE.withScatterGather(true));
        StepProgram program = Lowering.lower(g, c, sg);
        assertThat(gathers(program, "n1g1")).containsExactly(
                new BoundaryAllGather(1, 0, Payload.ACTIVATION, List.of("n1g0", "n1g1"), 2000),
                new BoundaryAllGather(1, 1, Payload.ACTIVATION, List.of("n1g0", "n1g1"), 2000));
        assertThat(gathers(program, "n0g0")).containsExactly(
                new BoundaryAllGather(0, 0, Payload.GRADIENT, List.of("n0g0", "n0g1"), 2000),
                new BoundaryAllGather(0, 1, Payload.GRADIENT, List.of("n0g0", "n0g1"), 2000));
        assertThat(gathers(Lowering.lower(g, c, sg.withOptions(sg.options().withSequenceParallel(true))), "n1g0")).isEmpty();

        Timeline timeline = Simulator.simulate(g, c, sg, SimulationOptions.defaults().withTrace(true)).timeline().orElseThrow();
        double received = Math.max(span(timeline, "n1g0", "recv act s0>s1 mb0").endSeconds(),
                span(timeline, "n1g1", "recv act s0>s1 mb0").endSeconds());
        for (String device : List.of("n1g0", "n1g1")) {
            Span gather = span(timeline, device, "allgather act s1 mb0");
            assertThat(gather.startSeconds()).isEqualTo(received);
            assertThat(gather.endSeconds() - gather.startSeconds()).isCloseTo(1e-6 + 1000 / 100e9, offset(1e-15));
            assertThat(gather.instruction().bytes()).isEqualTo(2000);
            assertThat(span(timeline, device, "F s1 mb0").startSeconds()).isEqualTo(gather.endSeconds());
        }
    }

    private static List<BoundaryAllGather> gathers(StepProgram program, String device) {
        return program.programs().stream().filter(p -> p.device().equals(device)).flatMap(p -> p.instructions().stream())
                .filter(i -> i instanceof BoundaryAllGather).map(i -> (BoundaryAllGather) i).toList();
    }

    private static Span span(Timeline timeline, String device, String name) {
        return timeline.spansOf(device).stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Long> sends(ComputationGraph g, ClusterSpec c, PlacementPlan plan) {
        return Lowering.lower(g, c, plan).programs().stream().flatMap(p -> p.instructions().stream())
                .filter(i -> i instanceof Send).map(i -> ((Send) i).bytes()).distinct().toList();
    }
}
