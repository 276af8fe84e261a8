package org.modelpar.simulator.cost;

/**
 * Seconds of one micro-batch of a stage on one device.
 *
 * @param forwardSeconds       forward pass, including its tensor-parallel all-reduces
 * @param backwardSeconds      backward pass, including its all-reduces and, for a recomputing stage,
 *                             the recomputed forward
 * @param tensorParallelSeconds the tensor-parallel all-reduce seconds inside forward + backward
 * @param forwardFlops         FLOPs of the forward pass on this device
 * @param backwardFlops        FLOPs of the backward pass on this device, without recomputation
 */
public record StageTime(double forwardSeconds, double backwardSeconds, double tensorParallelSeconds,
                        double forwardFlops, double backwardFlops) {
    /** Forward + backward seconds. */
    public double totalSeconds() {
        return forwardSeconds + backwardSeconds;
    }
}
