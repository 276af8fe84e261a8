package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Measured timeline: every executed instruction with its start and end on its device, and memory
 * samples, both in seconds since the run started. Thread-safe for appending.
 */
public final class ExecutionTrace {
    private final List<Span> spans = new ArrayList<>();
    private final List<MemorySample> memory = new ArrayList<>();

    /**
     * One executed instruction.
     *
     * @param device       device id
     * @param step         training step
     * @param index        position in the device's program
     * @param name         the instruction's name, as in the simulator's trace
     * @param stage        its stage
     * @param communication whether it ran on the communication stream (send, recv, all-reduce)
     * @param startSeconds start since the run began
     * @param endSeconds   end since the run began
     */
    public record Span(String device, int step, int index, String name, int stage, boolean communication,
                       double startSeconds, double endSeconds) {
        public double seconds() {
            return endSeconds - startSeconds;
        }
    }

    /** Live bytes on a device at a time. */
    public record MemorySample(String device, double atSeconds, long bytes) {
    }

    synchronized void add(Span span) {
        spans.add(span);
    }

    /**
     * A device's memory over one instruction: its own peak (with its temporaries) from its start, when that
     * is above what stays live, then what stays live from its end.
     */
    synchronized void addMemory(String device, double startSeconds, double endSeconds, long peakBytes, long liveBytes) {
        if (peakBytes > liveBytes) {
            memory.add(new MemorySample(device, startSeconds, peakBytes));
        }
        memory.add(new MemorySample(device, endSeconds, liveBytes));
    }

    /** Spans ordered by start time, then device. */
    public synchronized List<Span> spans() {
        List<Span> out = new ArrayList<>(spans);
        out.sort(Comparator.comparingDouble(Span::startSeconds).thenComparing(Span::device));
        return List.copyOf(out);
    }

    public synchronized List<MemorySample> memory() {
        List<MemorySample> out = new ArrayList<>(memory);
        out.sort(Comparator.comparingDouble(MemorySample::atSeconds).thenComparing(MemorySample::device));
        return List.copyOf(out);
    }

    /** Spans of one step. */
    public List<Span> step(int step) {
        return spans().stream().filter(s -> s.step() == step).toList();
    }
}
