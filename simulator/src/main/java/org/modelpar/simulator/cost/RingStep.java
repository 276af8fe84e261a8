package org.modelpar.simulator.cost;

/**
 * The steps of ring collectives over n devices (Patarasuk and Yuan, "Bandwidth optimal all-reduce algorithms for
 * clusters of workstations", JPDC 2009): in each step every member sends one chunk of {@code S / n} bytes to its
 * successor and receives one from its predecessor, and every step pays the per-message latency. A reduce-scatter or an
 * all-gather of S bytes is one pass of {@code n - 1} steps, an all-reduce two; k collectives of S bytes in all, each
 * of the same passes, are {@code k x passes x (n - 1)} steps of {@code S / (k n)} bytes. {@link CostModel#ringStep}
 * is the one owner of the latency and bandwidth a step pays; every price of a ring collective is {@link #seconds()}.
 *
 * @param bytesPerStep            the chunk a member sends in one step
 * @param steps                   how many steps, run one after another
 * @param latencySeconds          what each step waits besides its bytes (the per-message latency)
 * @param bandwidthBytesPerSecond the bandwidth a step's chunk moves at (the ring's slowest link)
 */
public record RingStep(double bytesPerStep, long steps, double latencySeconds, double bandwidthBytesPerSecond) {
    /** No steps: the collectives of a group of one device. */
    public static final RingStep NONE = new RingStep(0, 0, 0, 1);

    public RingStep {
        if (!(bytesPerStep >= 0) || steps < 0 || !(latencySeconds >= 0) || !(bandwidthBytesPerSecond > 0)) {
            throw new IllegalArgumentException("a ring step needs bytes >= 0, steps >= 0, latency >= 0 and bandwidth > 0,"
                    + " got " + bytesPerStep + " bytes, " + steps + " steps, " + latencySeconds + " s, "
                    + bandwidthBytesPerSecond + " B/s");
        }
    }

    /**
     * The steps of {@code collectives} ring collectives of {@code passes} passes each over {@code members} devices, of
     * {@code bytes} per member in all (an all-gather's: the gathered size); {@link #NONE} for fewer than two members
     * or no collectives.
     */
    public static RingStep of(int members, double bytes, int passes, int collectives, double latencySeconds,
                              double bandwidthBytesPerSecond) {
        if (members < 2 || collectives < 1 || passes < 1) {
            return NONE;
        }
        return new RingStep(bytes / ((double) collectives * members), (long) collectives * passes * (members - 1),
                latencySeconds, bandwidthBytesPerSecond);
    }

    /** The bytes each member moves through its links: {@code steps x bytesPerStep}. */
    public double bytesMoved() {
        return steps * bytesPerStep;
    }

    /** The latencies the steps wait: {@code steps x latency}. */
    public double latencyTotalSeconds() {
        return steps * latencySeconds;
    }

    /** Uncontended seconds of all the steps: {@code steps x (latency + bytesPerStep / bandwidth)}. */
    public double seconds() {
        return latencyTotalSeconds() + bytesMoved() / bandwidthBytesPerSecond;
    }
}
