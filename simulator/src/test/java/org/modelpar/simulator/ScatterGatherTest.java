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
import org.modelpar.simulator.program.Send;

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

    private static List<Long> sends(ComputationGraph g, ClusterSpec c, PlacementPlan plan) {
        return Lowering.lower(g, c, plan).programs().stream().flatMap(p -> p.instructions().stream())
                .filter(i -> i instanceof Send).map(i -> ((Send) i).bytes()).distinct().toList();
    }
}
