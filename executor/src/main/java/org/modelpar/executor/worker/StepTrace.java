package org.modelpar.executor.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * One step of a worker's measured timeline as it travels to the coordinator: every instruction executed, by
 * its index in the device's program, and the device's memory samples, in wall-clock seconds since the epoch
 * (so the coordinator lays the processes' timelines on one clock: exact between the processes of one host,
 * as close as the hosts' clocks between hosts).
 *
 * @param spans  executed instructions
 * @param memory memory samples (bytes accounted at a time)
 */
record StepTrace(List<Timed> spans, List<Timed> memory) {
    /** An instruction (index, start, end) or a memory sample (bytes as index 0 and value, at start = end). */
    record Timed(long value, double startSeconds, double endSeconds) {
    }

    StepTrace {
        spans = List.copyOf(spans);
        memory = List.copyOf(memory);
    }

    static final StepTrace EMPTY = new StepTrace(List.of(), List.of());
    /** The bytes of one {@link Timed} on the wire. */
    private static final int TIMED_BYTES = Long.BYTES + 2 * Double.BYTES;

    /** The step of {@code timeline} (seconds since {@code originEpochSeconds}). */
    static StepTrace of(Timeline timeline, int step, double originEpochSeconds) {
        Timeline one = timeline.step(step);
        List<Timed> spans = new ArrayList<>();
        one.spans().forEach(s -> spans.add(new Timed(s.index(), originEpochSeconds + s.startSeconds(), originEpochSeconds + s.endSeconds())));
        List<Timed> memory = new ArrayList<>();
        one.memory().forEach(m -> memory.add(new Timed(m.bytes(), originEpochSeconds + m.atSeconds(), originEpochSeconds + m.atSeconds())));
        return new StepTrace(spans, memory);
    }

    /** Adds the step to {@code out} as {@code program}'s device's, in seconds since {@code originEpochSeconds}. */
    void addTo(Timeline.Builder out, DeviceProgram program, int step, double originEpochSeconds) {
        for (Timed t : spans) {
            out.add(new Span(program.device(), step, (int) t.value(), program.instructions().get((int) t.value()),
                    t.startSeconds() - originEpochSeconds, t.endSeconds() - originEpochSeconds));
        }
        memory.forEach(m -> out.add(new MemorySample(program.device(), m.startSeconds() - originEpochSeconds, m.value())));
    }

    void write(DataOutputStream out) throws IOException {
        for (List<Timed> list : List.of(spans, memory)) {
            out.writeInt(list.size());
            for (Timed t : list) {
                out.writeLong(t.value());
                out.writeDouble(t.startSeconds());
                out.writeDouble(t.endSeconds());
            }
        }
    }

    static StepTrace read(DataInputStream in) throws IOException {
        List<List<Timed>> lists = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int n = in.readInt();
            if (n < 0 || n > in.available() / TIMED_BYTES) {
                throw new IOException("a step trace of " + n + " entries in " + in.available() + " bytes");
            }
            List<Timed> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(new Timed(in.readLong(), in.readDouble(), in.readDouble()));
            }
            lists.add(list);
        }
        return new StepTrace(lists.get(0), lists.get(1));
    }
}
