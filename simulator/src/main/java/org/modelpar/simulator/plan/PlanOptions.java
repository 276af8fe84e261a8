package org.modelpar.simulator.plan;

/**
 * How a plan runs Megatron-LM's communication and memory optimizations. All are off in plan files written
 * before they existed.
 *
 * @param sequenceParallel      tensor-parallel ranks also split LayerNorm, dropout and residual work and
 *                              activations along the sequence (Korthikanti et al. 2022, section 4.2.2), with
 *                              reduce-scatter + all-gather pairs in place of the all-reduces; needs t above 1
 * @param scatterGather         each tensor rank sends 1/t of a pipeline boundary tensor across stages and the
 *                              receiving replica all-gathers it over its t devices (Narayanan et al. 2021,
 *                              section 4.1); needs t above 1
 * @param overlapGradientReduce the data-parallel gradient all-reduce runs during the last backward (PyTorch
 *                              DDP's bucketed reduction) rather than after it (Megatron-LM's 2021 DDP)
 * @param zeroStage             ZeRO stage 0-3 over each stage's data-parallel group (Rajbhandari et al., "ZeRO",
 *                              SC 2020): 1 shards the optimizer state (Megatron-LM's distributed optimizer),
 *                              2 also the gradients, 3 also the parameters
 *                              ({@link org.modelpar.simulator.cost.ZeroSharding}); 0 shards nothing
 */
public record PlanOptions(boolean sequenceParallel, boolean scatterGather, boolean overlapGradientReduce, int zeroStage) {
    /** Everything off. */
    public static final PlanOptions NONE = new PlanOptions(false, false, false, 0);

    public PlanOptions {
        if (zeroStage < 0 || zeroStage > 3) {
            throw new PlanException("zeroStage must be 0, 1, 2 or 3, got " + zeroStage);
        }
    }

    /** The options without ZeRO. */
    public PlanOptions(boolean sequenceParallel, boolean scatterGather, boolean overlapGradientReduce) {
        this(sequenceParallel, scatterGather, overlapGradientReduce, 0);
    }

    public PlanOptions withSequenceParallel(boolean on) {
        return new PlanOptions(on, scatterGather, overlapGradientReduce, zeroStage);
    }

    public PlanOptions withScatterGather(boolean on) {
        return new PlanOptions(sequenceParallel, on, overlapGradientReduce, zeroStage);
    }

    public PlanOptions withOverlapGradientReduce(boolean on) {
        return new PlanOptions(sequenceParallel, scatterGather, on, zeroStage);
    }

    public PlanOptions withZeroStage(int stage) {
        return new PlanOptions(sequenceParallel, scatterGather, overlapGradientReduce, stage);
    }

    /** Whether a pipeline message carries 1/t of its tensor (sequence parallelism or scatter/gather). */
    public boolean splitsMessages() {
        return sequenceParallel || scatterGather;
    }
}
