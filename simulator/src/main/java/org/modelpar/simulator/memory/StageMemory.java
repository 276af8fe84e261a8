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
 * @param maxWeightPending        most micro-batches between those two passes at once, at the stash's peak
 *                                ({@link MemoryModel#maxWeightPending})
 */
public record StageMemory(MemoryBreakdown fixed, long stashBytesPerMicroBatch, long recomputeBytes, int maxInFlight,
                          long weightGradientBytes, int maxWeightPending) {
    /** Peak activations: {@code maxInFlight x stash + recompute + maxWeightPending x weightGradient}. */
    public long peakActivationBytes() {
        return Math.addExact(Math.addExact(Math.multiplyExact(stashBytesPerMicroBatch, (long) maxInFlight), recomputeBytes),
                Math.multiplyExact(weightGradientBytes, (long) maxWeightPending));
    }

    /** The breakdown at the peak. */
    public MemoryBreakdown peak() {
        return fixed.withActivations(peakActivationBytes());
    }
}
