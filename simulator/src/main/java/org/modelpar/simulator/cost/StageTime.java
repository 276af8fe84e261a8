package org.modelpar.simulator.cost;

/**
 * Seconds of one micro-batch of a stage on one device.
 *
 * @param forwardComputeSeconds     forward pass on the compute stream (with a scatter/gather all-gather of
 *                                  its received activations)
 * @param backwardComputeSeconds    backward pass on the compute stream, including, for a recomputing stage,
 *                                  the recomputed part of the forward
 * @param forwardCollectiveSeconds  the forward's tensor-parallel collectives, uncontended ({@link TensorTraffic})
 * @param backwardCollectiveSeconds the backward's tensor-parallel collectives, uncontended
 * @param tensorParallelSeconds     all tensor-parallel communication inside forward + backward (collectives and
 *                                  scatter/gather all-gathers)
 * @param forwardFlops              FLOPs of the forward pass on this device
 * @param backwardFlops             FLOPs of the backward pass on this device, without recomputation
 * @param recomputeFlops            FLOPs the backward pass re-runs of the forward (executed, not model FLOPs)
 */
public record StageTime(double forwardComputeSeconds, double backwardComputeSeconds, double forwardCollectiveSeconds,
                        double backwardCollectiveSeconds, double tensorParallelSeconds,
                        double forwardFlops, double backwardFlops, double recomputeFlops) {
    /** The forward pass with its collectives. */
    public double forwardSeconds() {
        return forwardComputeSeconds + forwardCollectiveSeconds;
    }

    /** The backward pass with its collectives. */
    public double backwardSeconds() {
        return backwardComputeSeconds + backwardCollectiveSeconds;
    }

    /** Forward + backward seconds. */
    public double totalSeconds() {
        return forwardSeconds() + backwardSeconds();
    }
}
