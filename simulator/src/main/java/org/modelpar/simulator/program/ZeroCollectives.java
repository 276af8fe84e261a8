package org.modelpar.simulator.program;

import java.util.List;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.plan.GradientBuckets;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;

/**
 * The data-parallel collectives of a stage under its plan's ZeRO stage (Rajbhandari et al., "ZeRO", SC 2020,
 * section 7; {@link org.modelpar.simulator.cost.ZeroSharding} says what each device holds): without ZeRO the
 * gradients are all-reduced; with stage 1 they are reduce-scattered once a step (each replica keeps the sum of its
 * shard); with stage 2 unit by unit after every micro-batch's backward, as DeepSpeed reduce-scatters gradient buckets
 * during each backward (so the communication grows with the micro-batches, and each replica keeps only its shard of
 * the sums); with stages 1 and 2 the updated parameters are all-gathered after the optimizer step; stage 3, which
 * keeps only its shard between uses, gathers each unit's parameters before its part of every forward and backward
 * and reduce-scatters its gradients after every backward. A stage with one replica or no parameters has none
 * ({@link #pass}).
 */
final class ZeroCollectives {
    private ZeroCollectives() {
    }

    /**
     * The gradient reduction of the stage over {@code group}: its own parameters' gradients per device; overlapped with
     * the backward, in {@link GradientBuckets} (one ring each).
     */
    static Collective gradientReduce(PlanLayout layout, int stage, List<String> group, boolean overlapsBackward) {
        PlacementPlan plan = layout.plan();
        int gradient = StateBytes.of(plan.precision(), plan.optimizer()).gradients();
        long bytes = layout.parameterShare(stage) * gradient;
        int buckets = overlapsBackward ? GradientBuckets.of(layout, stage, gradient) : 1;
        return plan.options().zeroStage() == 0 ? new AllReduce(stage, group, bytes, "", overlapsBackward, buckets)
                : new ReduceScatter(stage, group, bytes, overlapsBackward, 0, -1, buckets);
    }

    /** Whether the stage all-gathers its parameters in {@code phase} (and has anything to gather). */
    static boolean gathers(PlanLayout layout, int stage, AllGather.Phase phase) {
        int z = layout.plan().options().zeroStage();
        boolean when = phase == AllGather.Phase.AFTER_STEP ? z == 1 || z == 2 : z == 3;
        return when && layout.plan().dataParallel(stage) > 1 && layout.heldParameterShare(stage) > 0;
    }

    /**
     * The parameter units a stage's passes go by: its {@link ParameterUnit}s where it reduces them one by one ({@link
     * #reducesPerUnit}, then there is at least one), else none (a pass is one {@link Compute}).
     */
    static List<ParameterUnit> units(PlanLayout layout, int stage) {
        return reducesPerUnit(layout, stage) ? ParameterUnit.of(layout, stage) : List.of();
    }

    /**
     * Whether the stage reduce-scatters its gradients unit by unit after every micro-batch's backward (stages 2 and 3)
     * instead of once a step.
     */
    static boolean reducesPerUnit(PlanLayout layout, int stage) {
        return layout.plan().options().zeroStage() >= 2 && layout.plan().dataParallel(stage) > 1
                && layout.heldParameterShare(stage) > 0;
    }

    /**
     * One pass of a stage. Without per-unit reduction one {@link Compute}. With stage 2, a whole backward unit by unit
     * from the last, each unit's part followed by the reduce-scatter of its gradients, which then overlaps the rest of
     * the backward as DeepSpeed's bucket reductions do (a stage whose units are not consecutive in its order, {@link
     * ParameterUnit#outOfOrder}, runs it whole and reduces after it); any other pass is one {@link Compute}, and after
     * a split backward's weight-gradient pass come the reduce-scatters of every unit, last unit first (the order the
     * pass completes them). With stage 3, unit by
     * unit as PyTorch FSDP runs it (Zhao et al., VLDB 2023, section 3.3): a forward from unit 0, a backward from the
     * last unit. Before the first unit's part its parameters are gathered; the gather of each next unit is issued
     * before the part ahead of it (prefetch, one unit ahead), so it overlaps that part; after each unit's part of a
     * whole backward its gradients are reduce-scattered, overlapping the rest. A split backward's input-gradient pass
     * gathers and computes by unit; its weight-gradient pass is as with stage 2. Units without parameters gather and
     * reduce nothing.
     *
     * @param units the stage's {@link #units}, worked out once per lowering (a stage's passes are many)
     */
    static void pass(PlanLayout layout, int stage, List<ParameterUnit> units, int mb, Direction direction,
                     boolean recompute, List<String> group, List<Instruction> out) {
        if (units.isEmpty()) {
            out.add(new Compute(stage, mb, direction, recompute));
            return;
        }
        PlacementPlan plan = layout.plan();
        StateBytes state = StateBytes.of(plan.precision(), plan.optimizer());
        int n = units.size();
        boolean gathered = gathers(layout, stage, AllGather.Phase.FORWARD);
        if (direction == Direction.BACKWARD && !gathered && ParameterUnit.outOfOrder(layout.stage(stage).ops()).isEmpty()) {
            for (int u = n - 1; u >= 0; u--) {
                out.add(new Compute(stage, mb, direction, recompute, u, n));
                reduce(stage, group, mb, u, units.get(u).parametersPerRank() * state.gradients(), out);
            }
            return;
        }
        if (direction == Direction.WEIGHT_GRADIENT || !gathered) {
            out.add(new Compute(stage, mb, direction, recompute));
            if (!direction.releasesStash()) {
                return;
            }
            for (int u = n - 1; u >= 0; u--) {
                reduce(stage, group, mb, u, units.get(u).parametersPerRank() * state.gradients(), out);
            }
            return;
        }
        AllGather.Phase phase = direction == Direction.FORWARD ? AllGather.Phase.FORWARD : AllGather.Phase.BACKWARD;
        int step = direction == Direction.FORWARD ? 1 : -1;
        int first = direction == Direction.FORWARD ? 0 : n - 1;
        for (int k = 0; k < n; k++) {
            int u = first + k * step;
            if (k == 0) {
                gather(stage, group, phase, mb, u, false, units.get(u).parametersPerRank() * state.parameters(), out);
            }
            if (k + 1 < n) {
                gather(stage, group, phase, mb, u + step, true, units.get(u + step).parametersPerRank() * state.parameters(), out);
            }
            out.add(new Compute(stage, mb, direction, recompute, u, n));
            if (direction == Direction.BACKWARD) {
                reduce(stage, group, mb, u, units.get(u).parametersPerRank() * state.gradients(), out);
            }
        }
    }

    private static void gather(int stage, List<String> group, AllGather.Phase phase, int mb, int unit, boolean prefetch,
                               long bytes, List<Instruction> out) {
        if (bytes > 0) {
            out.add(new AllGather(stage, group, bytes, phase, mb, unit, prefetch));
        }
    }

    private static void reduce(int stage, List<String> group, int mb, int unit, long bytes, List<Instruction> out) {
        if (bytes > 0) {
            out.add(new ReduceScatter(stage, group, bytes, true, mb, unit));
        }
    }

    /** The all-gather after the optimizer step of the parameters the device holds unsharded (stages 1 and 2). */
    static AllGather parameterGather(PlanLayout layout, int stage, List<String> group) {
        PlacementPlan plan = layout.plan();
        long bytes = layout.heldParameterShare(stage) * StateBytes.of(plan.precision(), plan.optimizer()).parameters();
        return new AllGather(stage, group, bytes, AllGather.Phase.AFTER_STEP, 0);
    }
}
