package org.modelpar.simulator.cost;

import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;

/**
 * The training state one device of a stage holds under the plan's ZeRO stage z over the stage's d data-parallel
 * replicas (Rajbhandari et al., "ZeRO: memory optimizations toward training trillion parameter models", SC 2020,
 * section 5: {@code (2 + 2 + K) Psi} bytes without sharding, {@code 2 Psi + 2 Psi + K Psi / d} with stage 1,
 * {@code 2 Psi + (2 + K) Psi / d} with stage 2, {@code (2 + 2 + K) Psi / d} with stage 3). P is the parameters the
 * device holds without sharding ({@link PlanLayout#heldParameterShare}); its shard is {@code ceil(P / d)}; bytes
 * per parameter are {@link StateBytes}'. With d = 1 nothing is sharded.
 *
 * <p>From stage 2 the gradients are reduce-scattered unit by unit ({@link ParameterUnit}, the buckets) as each
 * micro-batch's backward completes them, as DeepSpeed reduces gradient buckets during the backward: a device keeps
 * the shard of the summed gradients, and whole gradients only of the units not yet reduce-scattered, at most two at
 * once (the unit the backward is completing and the one being reduce-scattered): {@code gradientBytes} is the shard
 * plus the two largest units' gradients, at most P.
 *
 * <p>Stage 3 gathers the parameters before they are used, unit by unit before every forward and backward
 * (the {@link org.modelpar.simulator.program.AllGather}s of the lowering), so a device holds
 * the gathered weights of at most two units at once, the one running and the one prefetched (as DeepSpeed's
 * ZeRO-3 and PyTorch FSDP prefetch the next unit): {@code gatheredBytes}, the two largest {@link ParameterUnit}s'.
 *
 * @param parameterBytes    weights held between uses: P, or the shard with stage 3
 * @param gatheredBytes     stage 3: the two largest units' gathered weights; 0 otherwise
 * @param gradientBytes     P, or from stage 2 the shard plus two units' whole gradients (at most P)
 * @param optimizerBytes    P, or the shard from stage 1
 * @param updatedParameters the parameters the optimizer step updates: P, or the shard from stage 1
 */
public record ZeroSharding(long parameterBytes, long gatheredBytes, long gradientBytes, long optimizerBytes,
                           long updatedParameters) {
    /**
     * Units whose gathered weights a stage-3 device holds at once: the running one and the one prefetched ahead (the
     * executor's gathers keep to it).
     */
    public static final int GATHERED_UNITS = 2;

    /** What a device of {@code stage} holds. */
    public static ZeroSharding of(PlanLayout layout, int stage) {
        PlacementPlan plan = layout.plan();
        StateBytes state = StateBytes.of(plan.precision(), plan.optimizer());
        long held = layout.heldParameterShare(stage);
        int d = plan.dataParallel(stage);
        int z = d == 1 ? 0 : plan.options().zeroStage();
        long shard = -Math.floorDiv(-held, (long) d);
        long twoUnits = z >= 2 ? largestUnits(layout, stage, 2) : 0;
        long gathered = z == 3 ? Math.multiplyExact(largestUnits(layout, stage, GATHERED_UNITS), state.parameters()) : 0;
        long gradients = z >= 2 ? Math.min(held, Math.addExact(shard, twoUnits)) : held;
        return new ZeroSharding(Math.multiplyExact(z >= 3 ? shard : held, state.parameters()), gathered,
                Math.multiplyExact(gradients, state.gradients()),
                Math.multiplyExact(z >= 1 ? shard : held, state.optimizer()), z >= 1 ? shard : held);
    }

    /** Parameters per tensor rank of the stage's {@code count} largest {@link ParameterUnit}s. */
    private static long largestUnits(PlanLayout layout, int stage, int count) {
        return ParameterUnit.of(layout, stage).stream().map(ParameterUnit::parametersPerRank)
                .sorted((a, b) -> Long.compare(b, a)).limit(count).mapToLong(Long::longValue).sum();
    }
}
