package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.program.Instruction;

/**
 * What the engine measured: every instruction's simulated start and end, per-device busy, exposed
 * communication, FLOPs and peak memory, the first out-of-memory moment, and the critical path.
 * Devices are indexed in step-program order; instructions in program order, device after device.
 */
public final class EngineResult {
    private final CompiledProgram c;
    private final double[] start;
    private final double[] end;
    private final int[] cause;
    private final MemoryTracker memory;
    private final long events;
    private final double stepSeconds;
    private final double[] busySeconds;
    private final double[] exposedSeconds;

    private EngineResult(CompiledProgram c, double[] start, double[] end, int[] cause, MemoryTracker memory, long events) {
        this.c = c;
        this.start = start;
        this.end = end;
        this.cause = cause;
        this.memory = memory;
        this.events = events;
        double step = 0;
        for (double e : end) {
            step = Math.max(step, e);
        }
        this.stepSeconds = step;
        this.busySeconds = new double[c.deviceCount];
        this.exposedSeconds = new double[c.deviceCount];
        for (int d = 0; d < c.deviceCount; d++) {
            streams(d);
        }
    }

    static EngineResult of(CompiledProgram c, double[] start, double[] end, int[] cause, MemoryTracker memory, long events) {
        return new EngineResult(c, start, end, cause, memory, events);
    }

    /**
     * Busy seconds of the compute stream, and seconds in which communication of the device (its sends,
     * receives and all-reduces) is in flight while its compute stream is idle.
     */
    private void streams(int d) {
        int from = c.deviceFirst[d];
        int to = c.deviceFirst[d + 1];
        int comm = 0;
        for (int g = from; g < to; g++) {
            if (!CompiledProgram.computeStream(c.kind[g])) {
                comm++;
            }
        }
        double[] cs = new double[comm];
        double[] ce = new double[comm];
        double[] ks = new double[to - from - comm];
        double[] ke = new double[to - from - comm];
        int n = 0;
        int k = 0;
        double busy = 0;
        for (int g = from; g < to; g++) {
            if (CompiledProgram.computeStream(c.kind[g])) {
                ks[k] = start[g];
                ke[k++] = end[g];
                busy += end[g] - start[g];
            } else {
                cs[n] = start[g];
                ce[n++] = end[g];
            }
        }
        busySeconds[d] = busy;
        Arrays.sort(cs);
        Arrays.sort(ce);
        exposedSeconds[d] = exposed(cs, ce, ks, ke);
    }

    /** Measure of (union of comm intervals) minus (union of compute intervals), by a sweep. */
    private static double exposed(double[] cs, double[] ce, double[] ks, double[] ke) {
        int i = 0;
        int j = 0;
        int k = 0;
        int commActive = 0;
        boolean computing = false;
        double last = 0;
        double total = 0;
        int n = cs.length;
        int m = ks.length;
        while (i < n || j < n || k < 2 * m) {
            double nextCompute = k < 2 * m ? (k % 2 == 0 ? ks[k / 2] : ke[k / 2]) : Double.POSITIVE_INFINITY;
            double nextStart = i < n ? cs[i] : Double.POSITIVE_INFINITY;
            double nextEnd = j < n ? ce[j] : Double.POSITIVE_INFINITY;
            double now = Math.min(nextCompute, Math.min(nextStart, nextEnd));
            if (commActive > 0 && !computing) {
                total += now - last;
            }
            last = now;
            if (nextEnd == now) {
                commActive--;
                j++;
            } else if (nextStart == now) {
                commActive++;
                i++;
            } else {
                computing = k % 2 == 0;
                k++;
            }
        }
        return total;
    }

    public double stepSeconds() {
        return stepSeconds;
    }

    /** Events processed (instruction completions, flow starts and ends). */
    public long events() {
        return events;
    }

    public int deviceCount() {
        return c.deviceCount;
    }

    public String deviceId(int device) {
        return c.deviceIds[device];
    }

    public double busySeconds(int device) {
        return busySeconds[device];
    }

    public double exposedCommunicationSeconds(int device) {
        return exposedSeconds[device];
    }

    /** FLOPs the device executed, counting recomputation. */
    public double executedFlops(int device) {
        return c.executedFlops[device];
    }

    /** Model FLOPs of the device, without recomputation. */
    public double modelFlops(int device) {
        return c.modelFlops[device];
    }

    public MemoryBreakdown peakMemory(int device) {
        return memory.peak(device);
    }

    public long memoryCapacityBytes(int device) {
        return c.capacityBytes[device];
    }

    /** The first moment a device ran out of memory, if any (device by id). */
    public Optional<OutOfMemoryEvent> outOfMemory() {
        return memory.outOfMemory().map(o -> new OutOfMemoryEvent(c.deviceIds[o.device()], o.atSeconds(),
                o.neededBytes(), o.capacityBytes(), o.breakdown()));
    }

    public int instructionCount() {
        return c.count;
    }

    public Instruction instruction(int g) {
        return c.instructions[g];
    }

    public int instructionDevice(int g) {
        return c.device[g];
    }

    public boolean onComputeStream(int g) {
        return CompiledProgram.computeStream(c.kind[g]);
    }

    public double start(int g) {
        return start[g];
    }

    public double end(int g) {
        return end[g];
    }

    /**
     * The chain of instructions that decides the step time: from the last instruction to finish, back
     * through the dependency that was satisfied last, to an instruction that waited for nothing.
     * Returned in time order, as instruction indices.
     */
    public List<Integer> criticalPath() {
        int last = -1;
        for (int g = 0; g < c.count; g++) {
            if (last < 0 || end[g] > end[last]) {
                last = g;
            }
        }
        List<Integer> path = new ArrayList<>();
        for (int g = last; g >= 0 && path.size() <= c.count; g = cause[g]) {
            path.add(g);
        }
        Collections.reverse(path);
        return List.copyOf(path);
    }

    /** Memory changes in time order (empty unless the engine recorded them). */
    public MemoryTimeline memoryTimeline() {
        return memory.timeline();
    }

    /**
     * The first out-of-memory moment.
     *
     * @param device        device id
     * @param atSeconds     simulated time
     * @param neededBytes   bytes the device needed then
     * @param capacityBytes its memory
     * @param breakdown     what it held at that moment
     */
    public record OutOfMemoryEvent(String device, double atSeconds, long neededBytes, long capacityBytes,
                                   MemoryBreakdown breakdown) {
    }
}
