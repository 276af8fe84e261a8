package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.timeline.MemorySample;

/**
 * Per-device memory over simulated time: the fixed part (parameters, gradients, optimizer state,
 * workspace) from time 0, activations allocated and freed by instructions. Records the peak with its
 * breakdown, the first out-of-memory moment, and (when asked) every change for the trace's counter track.
 */
final class MemoryTracker {
    private final MemoryBreakdown[] fixed;
    private final long[] fixedTotal;
    private final long[] capacity;
    private final long[] activations;
    private final long[] peakActivations;
    private final boolean record;
    private OutOfMemory outOfMemory;
    private int[] changeDevice = new int[0];
    private double[] changeTime = new double[0];
    private long[] changeBytes = new long[0];
    private int changes;

    MemoryTracker(MemoryBreakdown[] fixed, long[] capacity, boolean record) {
        this.fixed = fixed;
        this.capacity = capacity;
        this.record = record;
        int d = fixed.length;
        this.fixedTotal = new long[d];
        this.activations = new long[d];
        this.peakActivations = new long[d];
        for (int i = 0; i < d; i++) {
            fixedTotal[i] = fixed[i].total();
            check(i, 0);
            note(i, 0);
        }
    }

    void change(int device, long bytes, double now) {
        long a = activations[device] += bytes;
        if (a > peakActivations[device]) {
            peakActivations[device] = a;
            check(device, now);
        }
        note(device, now);
    }

    private void check(int device, double now) {
        long total = fixedTotal[device] + activations[device];
        if (outOfMemory == null && total > capacity[device]) {
            outOfMemory = new OutOfMemory(device, now, total, capacity[device], fixed[device].withActivations(activations[device]));
        }
    }

    private void note(int device, double now) {
        if (!record) {
            return;
        }
        if (changes == changeTime.length) {
            int n = Math.max(64, changes * 2);
            changeDevice = Arrays.copyOf(changeDevice, n);
            changeTime = Arrays.copyOf(changeTime, n);
            changeBytes = Arrays.copyOf(changeBytes, n);
        }
        changeDevice[changes] = device;
        changeTime[changes] = now;
        changeBytes[changes] = fixedTotal[device] + activations[device];
        changes++;
    }

    MemoryBreakdown peak(int device) {
        return fixed[device].withActivations(peakActivations[device]);
    }

    Optional<OutOfMemory> outOfMemory() {
        return Optional.ofNullable(outOfMemory);
    }

    /** Memory changes in time order, as samples of the devices' ids. */
    List<MemorySample> samples(String[] deviceIds) {
        List<MemorySample> out = new ArrayList<>(changes);
        for (int i = 0; i < changes; i++) {
            out.add(new MemorySample(deviceIds[changeDevice[i]], changeTime[i], changeBytes[i]));
        }
        return out;
    }

    /** The first moment a device needed more than its capacity (device index, not id). */
    record OutOfMemory(int device, double atSeconds, long neededBytes, long capacityBytes, MemoryBreakdown breakdown) {
    }
}
