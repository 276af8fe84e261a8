package org.modelpar.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.Plans;
import org.modelpar.executor.model.GatherOrder.Gather;
import org.modelpar.executor.model.GatherOrder.Pass;
import org.modelpar.executor.model.GatherOrder.Release;
import org.modelpar.executor.model.GatherOrder.Run;
import org.modelpar.executor.model.GatherOrder.Step;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.cost.ZeroSharding;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/**
 * Which units ZeRO stage 3 gathers when: a recompute segment over several units re-gathers each in forward order,
 * holding at most two units at once, and leaves the held units held.
 */
class GatherOrderTest {
    private static final Pass R = Pass.RECOMPUTE;

    /** Running unit 3 and prefetched unit 2 held: 3 is freed first (needed last), 0 and 1 come and go, 3 comes back. */
    @Test
    void theRunningUnitMakesRoomAndIsGatheredAgainLast() {
        assertThat(GatherOrder.recompute(List.of(0, 1, 2, 3), 3, Set.of(3, 2), Set.of(0, 1, 2, 3), 2)).containsExactly(
                new Release(3), new Gather(0, R, false), new Run(0, R), new Release(0), new Gather(1, R, false), new Run(1, R),
                new Release(1), new Run(2, R), new Gather(3, R, false), new Run(3, R));
    }

    /** A running unit without parameters (the loss) holds nothing: the prefetched unit stays, others come and go. */
    @Test
    void aRunningUnitWithoutParametersLeavesRoom() {
        assertThat(GatherOrder.recompute(List.of(0, 1, 2), 2, Set.of(1), Set.of(0, 1), 2)).containsExactly(
                new Gather(0, R, false), new Run(0, R), new Release(0), new Run(1, R), new Run(2, R));
    }

    /** With room for three, nothing held is freed. */
    @Test
    void roomForMoreFreesNothingHeld() {
        assertThat(GatherOrder.recompute(List.of(0, 1, 2), 2, Set.of(2, 1), Set.of(0, 1, 2), 3)).containsExactly(
                new Gather(0, R, false), new Run(0, R), new Release(0), new Run(1, R), new Run(2, R));
    }

    @Test
    void onlyTheSegmentsLastUnitRebuildsIt() {
        assertThatThrownBy(() -> GatherOrder.recompute(List.of(0, 1), 0, Set.of(0), Set.of(0, 1), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a recompute segment over units [0, 1] is rebuilt by its last unit's backward, not unit 0's");
    }

    /**
     * The mlp (units layer0..layer3 with parameters, then the loss alone) under full recomputation, one segment over
     * the stage: the forward gathers unit 0 and prefetches each next one; the backward starts at the loss, prefetches
     * layer3, rebuilds the segment re-gathering layers 0 to 2 one at a time, then runs back prefetching one unit ahead.
     */
    @Test
    void aFullyRecomputedMlpStageRegathersItsUnitsInForwardOrder() {
        ComputationGraph graph = ModelZoo.build("mlp:layers=3,width=16");
        PlacementPlan plain = Plans.plan(graph, 1, 2, 2, 1, Schedule.GPIPE, OptimizerKind.SGD).withRecomputation(Recompute.FULL);
        PlacementPlan zero = plain.withOptions(plain.options().withZeroStage(3));
        StageModel model = new StageModel(graph, new Boundary(graph, zero), 0, zero.globalBatchSize());
        List<Step> order = GatherOrder.of(Plans.lower(graph, zero).programs().get(0).instructions(), model, Recompute.FULL, 0, 0,
                ZeroSharding.GATHERED_UNITS);
        Pass f = Pass.FORWARD;
        Pass b = Pass.BACKWARD;
        assertThat(order).containsExactly(
                new Gather(0, f, false), new Gather(1, f, true), new Run(0, f), new Release(0), new Gather(2, f, true),
                new Run(1, f), new Release(1), new Gather(3, f, true), new Run(2, f), new Release(2), new Run(3, f),
                new Release(3), new Run(4, f),
                new Gather(3, b, true),
                new Gather(0, R, false), new Run(0, R), new Release(0), new Gather(1, R, false), new Run(1, R), new Release(1),
                new Gather(2, R, false), new Run(2, R), new Release(2), new Run(3, R), new Run(4, R),
                new Run(4, b), new Gather(2, b, true), new Run(3, b), new Release(3), new Gather(1, b, true), new Run(2, b),
                new Release(2), new Gather(0, b, true), new Run(1, b), new Release(1), new Run(0, b), new Release(0));
    }
}
