package org.modelpar.simulator.cost;

/**
 * Seconds of one micro-batch of a stage on one device.
 *
 * @param forwardComputeSeconds     forward pass on the compute stream
 * @param backwardComputeSeconds    backward pass on the compute stream, including, for a recomputing stage,
 *                                  the recomputed part of the forward
 * @param forwardCollectiveSeconds  the forward's tensor-parallel collectives ({@link TensorTraffic}) and the
 *                                  scatter/gather all-gather of its received activations, uncontended
 * @param backwardCollectiveSeconds the backward's, with the all-gather of its received gradients
 * @param tensorParallelSeconds     all tensor-parallel communication inside forward + backward (collectives and
 *                                  scatter/gather all-gathers)
 * @param weightGradientSeconds     the weight-gradient part of the backward's compute ({@link BackwardSplit}); the
 *                                  rest of the backward's compute is the input-gradient part, which the
 *                                  backward's collectives follow
 */
public record StageTime(double forwardComputeSeconds, double backwardComputeSeconds, double forwardCollectiveSeconds,
                        double backwardCollectiveSeconds, double tensorParallelSeconds, double weightGradientSeconds) {
    /** Seconds of the input-gradient part of the backward's compute: all of it but the weight gradient. */
    public double inputGradientComputeSeconds() {
        return backwardComputeSeconds - weightGradientSeconds;
    }

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
