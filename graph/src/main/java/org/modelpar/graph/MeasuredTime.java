package org.modelpar.graph;

/**
 * Measured forward and backward time of one op on one device type, for the graph's
 * {@code measuredBatchSize} samples, and optionally the part of each that does not depend on the sample
 * count (kernel launches, work on the weights): a cost model scales only the rest by the samples.
 *
 * @param forwardSeconds       forward time, finite and non-negative
 * @param backwardSeconds      backward time, finite and non-negative
 * @param forwardFixedSeconds  the fixed part of the forward time, at most the forward time (0: unknown)
 * @param backwardFixedSeconds the fixed part of the backward time, at most the backward time (0: unknown)
 */
public record MeasuredTime(double forwardSeconds, double backwardSeconds, double forwardFixedSeconds,
                           double backwardFixedSeconds) {
    public MeasuredTime {
        Checks.nonNegative("forwardSeconds", forwardSeconds);
        Checks.nonNegative("backwardSeconds", backwardSeconds);
        Checks.nonNegative("forwardFixedSeconds", forwardFixedSeconds);
        Checks.nonNegative("backwardFixedSeconds", backwardFixedSeconds);
        if (forwardFixedSeconds > forwardSeconds || backwardFixedSeconds > backwardSeconds) {
            throw new GraphException("fixed parts must not exceed their times, got forward " + forwardFixedSeconds
                    + " of " + forwardSeconds + " and backward " + backwardFixedSeconds + " of " + backwardSeconds);
        }
    }

    /** Times without a known fixed part. */
    public MeasuredTime(double forwardSeconds, double backwardSeconds) {
        this(forwardSeconds, backwardSeconds, 0, 0);
    }

    /** Whether the fixed parts were measured. */
    public boolean hasFixedParts() {
        return forwardFixedSeconds > 0 || backwardFixedSeconds > 0;
    }

    public double totalSeconds() {
        return forwardSeconds + backwardSeconds;
    }
}
