package org.modelpar.graph;

/**
 * Measured forward and backward time of one op on one device type, for the graph's
 * {@code measuredBatchSize} samples.
 *
 * @param forwardSeconds  forward time, finite and non-negative
 * @param backwardSeconds backward time, finite and non-negative
 */
public record MeasuredTime(double forwardSeconds, double backwardSeconds) {
    public MeasuredTime {
        Checks.nonNegative("forwardSeconds", forwardSeconds);
        Checks.nonNegative("backwardSeconds", backwardSeconds);
    }

    public double totalSeconds() {
        return forwardSeconds + backwardSeconds;
    }
}
