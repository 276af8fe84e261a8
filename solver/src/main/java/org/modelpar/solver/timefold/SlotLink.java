package org.modelpar.solver.timefold;

/**
 * The link class a stage uses towards its neighbour stage, in exact integer units.
 *
 * @param latencyNanos   per-message latency
 * @param bytesPerSecond per-device bandwidth, positive
 */
public record SlotLink(long latencyNanos, double bytesPerSecond) {
    /** Free communication: zero latency, transfers cost nothing. */
    public static final SlotLink FREE = new SlotLink(0, Double.POSITIVE_INFINITY);

    public SlotLink {
        if (latencyNanos < 0 || !(bytesPerSecond > 0)) {
            throw new IllegalArgumentException("link needs latency >= 0 and bandwidth > 0, got " + latencyNanos
                    + " ns, " + bytesPerSecond + " B/s");
        }
    }

    /** Forward activation plus backward gradient of {@code bytes}: {@code 2 (latency + bytes / bandwidth)}, rounded up. */
    public long roundTripNanos(long bytes) {
        if (bytes == 0 || bytesPerSecond == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return 2 * (latencyNanos + (long) Math.ceil(bytes * 1e9 / bytesPerSecond));
    }
}
