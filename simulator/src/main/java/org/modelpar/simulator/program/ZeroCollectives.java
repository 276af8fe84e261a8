package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;

/**
 * The data-parallel collectives of a stage under its plan's ZeRO stage (Rajbhandari et al., "ZeRO", SC 2020,
 * section 7; {@link org.modelpar.simulator.cost.ZeroSharding} says what each device holds): without ZeRO the
 * gradients are all-reduced; with any stage they are reduce-scattered (each replica keeps the sum of its shard),
 * and the updated parameters are all-gathered after the optimizer step (stages 1 and 2) or before every forward
 * and backward (stage 3, which keeps only its shard between uses). A stage with one replica or no parameters
 * has none.
 */
final class ZeroCollectives {
    private ZeroCollectives() {
    }

    /** The gradient reduction of the stage over {@code group}: its own parameters' gradients per device. */
    static Collective gradientReduce(PlanLayout layout, int stage, List<String> group, boolean overlapsBackward) {
        PlacementPlan plan = layout.plan();
        long bytes = layout.parameterShare(stage) * StateBytes.of(plan.precision(), plan.optimizer()).gradients();
        return plan.options().zeroStage() == 0 ? new AllReduce(stage, group, bytes, "", overlapsBackward)
                : new ReduceScatter(stage, group, bytes, overlapsBackward);
    }

    /** Whether the stage all-gathers its parameters in {@code phase} (and has anything to gather). */
    static boolean gathers(PlanLayout layout, int stage, AllGather.Phase phase) {
        int z = layout.plan().options().zeroStage();
        boolean when = phase == AllGather.Phase.AFTER_STEP ? z == 1 || z == 2 : z == 3;
        return when && layout.plan().dataParallel(stage) > 1 && layout.heldParameterShare(stage) > 0;
    }

    /** The all-gather of the parameters the device holds unsharded (its tensor rank's share, with a tied copy). */
    static AllGather parameterGather(PlanLayout layout, int stage, List<String> group, AllGather.Phase phase, int microBatch) {
        PlacementPlan plan = layout.plan();
        long bytes = layout.heldParameterShare(stage) * StateBytes.of(plan.precision(), plan.optimizer()).parameters();
        return new AllGather(stage, group, bytes, phase, microBatch);
    }
}
