package org.modelpar.simulator.cost;

/**
 * Seconds of one micro-batch of a stage on one device.
 *
 * @param forwardSeconds       forward pass, including its tensor-parallel all-reduces
 * @param backwardSeconds      backward pass, including its all-reduces and, for a recomputing stage,
 *                             the recomputed part of the forward
 * @param tensorParallelSeconds the tensor-parallel collective seconds inside forward + backward (all-reduces,
 *                             scatter/gather all-gathers)
 * @param forwardFlops         FLOPs of the forward pass on this device
 * @param backwardFlops        FLOPs of the backward pass on this device, without recomputation
 * @param recomputeFlops       FLOPs the backward pass re-runs of the forward (executed, not model FLOPs)
 * @param weightGradientSeconds the weight-gradient part of the backward's op work ({@link BackwardSplit}); the
 *                             rest of the backward, with its collectives, is the input-gradient part
 * @param weightGradientFlops  FLOPs of the weight-gradient part
 */
public record StageTime(double forwardSeconds, double backwardSeconds, double tensorParallelSeconds,
                        double forwardFlops, double backwardFlops, double recomputeFlops,
                        double weightGradientSeconds, double weightGradientFlops) {
    /** Seconds of the input-gradient part of the backward: all of it but the weight gradient. */
    public double inputGradientSeconds() {
        return backwardSeconds - weightGradientSeconds;
    }

    /** Forward + backward seconds. */
    public double totalSeconds() {
        return forwardSeconds + backwardSeconds;
    }
}
