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
 * <p>Stage 2 holds whole gradients here, as stage 1 does: its lowering reduce-scatters them once per step, after
 * every micro-batch's backward has accumulated into them (and the executor runs that program), so the gradient
 * shard of the paper, which needs a reduce-scatter of each bucket as every micro-batch's backward produces it
 * (DeepSpeed's), is not what runs. Counting the shard would under-predict stage 2's peak by (1 - 1/d) of the
 * gradients. Stage 3 reduce-scatters unit by unit after each backward and holds the shard.
 *
 * <p>Stage 3 gathers the parameters before they are used, unit by unit before every forward and backward
 * (the {@link org.modelpar.simulator.program.AllGather}s of the lowering), so a device holds
 * the gathered weights of at most two units at once, the one running and the one prefetched (as DeepSpeed's
 * ZeRO-3 and PyTorch FSDP prefetch the next unit): {@code gatheredBytes}, the two largest {@link ParameterUnit}s'.
 *
 * @param parameterBytes    weights held between uses: P, or the shard with stage 3
 * @param gatheredBytes     stage 3: the two largest units' gathered weights; 0 otherwise
 * @param gradientBytes     P, or the shard with stage 3
 * @param optimizerBytes    P, or the shard from stage 1
 * @param updatedParameters the parameters the optimizer step updates: P, or the shard from stage 1
 */
public record ZeroSharding(long parameterBytes, long gatheredBytes, long gradientBytes, long optimizerBytes,
                           long updatedParameters) {
    /** What a device of {@code stage} holds. */
    public static ZeroSharding of(PlanLayout layout, int stage) {
        PlacementPlan plan = layout.plan();
        StateBytes state = StateBytes.of(plan.precision(), plan.optimizer());
        long held = layout.heldParameterShare(stage);
        int d = plan.dataParallel(stage);
        int z = d == 1 ? 0 : plan.options().zeroStage();
        long shard = -Math.floorDiv(-held, (long) d);
        long gathered = z == 3 ? Math.multiplyExact(twoLargestLayers(layout, stage), state.parameters()) : 0;
        return new ZeroSharding(Math.multiplyExact(z >= 3 ? shard : held, state.parameters()), gathered,
                Math.multiplyExact(z >= 3 ? shard : held, state.gradients()),
                Math.multiplyExact(z >= 1 ? shard : held, state.optimizer()), z >= 1 ? shard : held);
    }

    /** Parameters per tensor rank of the stage's two largest {@link ParameterUnit}s. */
    private static long twoLargestLayers(PlanLayout layout, int stage) {
        return ParameterUnit.of(layout, stage).stream().map(ParameterUnit::parametersPerRank)
                .sorted((a, b) -> Long.compare(b, a)).limit(2).mapToLong(Long::longValue).sum();
    }
}
