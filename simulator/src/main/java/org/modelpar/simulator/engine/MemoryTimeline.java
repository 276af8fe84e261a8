package org.modelpar.simulator.engine;

/**
 * Memory changes in simulated-time order as parallel arrays: at {@code seconds[i]} device
 * {@code device[i]} (step-program index) holds {@code totalBytes[i]}.
 */
public record MemoryTimeline(int[] device, double[] seconds, long[] totalBytes) {
    public int size() {
        return seconds.length;
    }
}
