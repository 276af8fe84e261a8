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
 * @param expertParallel        expert-parallel degree e: each group of e consecutive data-parallel replicas of a stage
 *                              splits every mixture-of-experts layer's experts e ways and exchanges tokens by
 *                              all-to-all ({@link org.modelpar.simulator.cost.ExpertTraffic}); 1 keeps every expert on
 *                              every replica
 */
public record PlanOptions(boolean sequenceParallel, boolean scatterGather, boolean overlapGradientReduce, int zeroStage,
                          int expertParallel) {
    /** Everything off. */
    public static final PlanOptions NONE = new PlanOptions(false, false, false, 0, 1);

    public PlanOptions {
        if (zeroStage < 0 || zeroStage > 3) {
            throw new PlanException("zeroStage must be 0, 1, 2 or 3, got " + zeroStage);
        }
        if (expertParallel < 1) {
            throw new PlanException("expertParallel must be at least 1, got " + expertParallel);
        }
        if (expertParallel > 1 && zeroStage > 0) {
            throw new PlanException("expertParallel " + expertParallel + " with zeroStage " + zeroStage
                    + " is not modelled: use one of them");
        }
    }

    /** The options without ZeRO and expert parallelism. */
    public PlanOptions(boolean sequenceParallel, boolean scatterGather, boolean overlapGradientReduce) {
        this(sequenceParallel, scatterGather, overlapGradientReduce, 0, 1);
    }

    public PlanOptions withSequenceParallel(boolean on) {
        return new PlanOptions(on, scatterGather, overlapGradientReduce, zeroStage, expertParallel);
    }

    public PlanOptions withScatterGather(boolean on) {
        return new PlanOptions(sequenceParallel, on, overlapGradientReduce, zeroStage, expertParallel);
    }

    public PlanOptions withOverlapGradientReduce(boolean on) {
        return new PlanOptions(sequenceParallel, scatterGather, on, zeroStage, expertParallel);
    }

    public PlanOptions withZeroStage(int stage) {
        return new PlanOptions(sequenceParallel, scatterGather, overlapGradientReduce, stage, expertParallel);
    }

    public PlanOptions withExpertParallel(int degree) {
        return new PlanOptions(sequenceParallel, scatterGather, overlapGradientReduce, zeroStage, degree);
    }

    /**
     * Whether the receiving replica all-gathers a pipeline message over its t devices: scatter/gather without
     * sequence parallelism (whose ranks use their 1/t of the sequence as it is).
     */
    public boolean gathersMessages() {
        return scatterGather && !sequenceParallel;
    }

    /** Whether a pipeline message carries 1/t of its tensor (sequence parallelism or scatter/gather). */
    public boolean splitsMessages() {
        return sequenceParallel || scatterGather;
    }
}
