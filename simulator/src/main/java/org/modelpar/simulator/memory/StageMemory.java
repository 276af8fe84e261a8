package org.modelpar.simulator.memory;

/**
 * The memory facts of one device of a stage, from which both the analytical peak and the engine's
 * tracker are built.
 *
 * @param fixed                   bytes held for the whole step (parameters, gradients, optimizer,
 *                                workspace; activations 0)
 * @param stashBytesPerMicroBatch activations kept from a micro-batch's forward until its {@code Free}:
 *                                the stage inputs, plus all op activations unless the stage recomputes
 * @param recomputeBytes          activations of one micro-batch rebuilt during a recomputing backward
 *                                (0 without recomputation)
 * @param maxInFlight             most micro-batches stashed at once ({@link MemoryModel#maxInFlight})
 * @param weightGradientBytes     what a micro-batch keeps from its input-gradient pass until its weight-gradient
 *                                pass, besides its stash (0 unless the schedule splits the backward)
 * @param weightInputBytes        what of its stash a micro-batch keeps from the end of its input-gradient pass until
 *                                its {@code Free} (the weight-gradient pass's inputs; at most the stash; 0 unless the
 *                                schedule splits the backward); the rest is released when the input-gradient pass ends
 * @param maxWeightPending        most micro-batches between those two passes at once, at the stash's peak
 *                                ({@link MemoryModel#maxWeightPending}): the one whose input-gradient pass runs and
 *                                the ones before it whose weight-gradient passes are deferred
 */
public record StageMemory(MemoryBreakdown fixed, long stashBytesPerMicroBatch, long recomputeBytes, int maxInFlight,
                          long weightGradientBytes, long weightInputBytes, int maxWeightPending) {
    public StageMemory {
        if (weightInputBytes < 0 || weightInputBytes > stashBytesPerMicroBatch) {
            throw new IllegalArgumentException("the weight-gradient pass's inputs must be 0.." + stashBytesPerMicroBatch
                    + " bytes of the stash, got " + weightInputBytes);
        }
    }

    /**
     * Peak activations: {@code maxInFlight x stash + recompute + maxWeightPending x weightGradient +
     * (maxWeightPending - 1) x weightInput}: while a split backward's input-gradient pass runs, its micro-batch still
     * holds its whole stash (counted in {@code maxInFlight}) and the deferred ones only their weight-gradient inputs.
     */
    public long peakActivationBytes() {
        long deferred = Math.max(0, maxWeightPending - 1L);
        return Math.addExact(Math.addExact(Math.multiplyExact(stashBytesPerMicroBatch, (long) maxInFlight), recomputeBytes),
                Math.addExact(Math.multiplyExact(weightGradientBytes, (long) maxWeightPending),
                        Math.multiplyExact(weightInputBytes, deferred)));
    }

    /** Whether the stage's backward is split into input- and weight-gradient passes. */
    public boolean splitsBackward() {
        return maxWeightPending > 0;
    }

    /** Bytes of a micro-batch's stash that its input-gradient pass releases when it ends. */
    public long releasedByInputGradient() {
        return stashBytesPerMicroBatch - weightInputBytes;
    }

    /** Bytes of a micro-batch's stash that its {@code Free} releases: what is left of it. */
    public long releasedByFree() {
        return splitsBackward() ? weightInputBytes : stashBytesPerMicroBatch;
    }

    /**
     * These facts with {@code maxInFlight} and {@code maxWeightPending} of another placement of the stage (the
     * solver prices a block alone and places it on stage i of p).
     */
    public StageMemory withCounts(int inFlight, int weightPending) {
        return new StageMemory(fixed, stashBytesPerMicroBatch, recomputeBytes, inFlight, weightGradientBytes,
                weightPending > 0 ? weightInputBytes : 0, weightPending);
    }

    /** The breakdown at the peak. */
    public MemoryBreakdown peak() {
        return fixed.withActivations(peakActivationBytes());
    }
}
