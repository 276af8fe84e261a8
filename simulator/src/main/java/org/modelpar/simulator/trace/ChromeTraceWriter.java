package org.modelpar.simulator.trace;

import org.modelpar.graph.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Writes a simulated or measured {@link Timeline} as Chrome trace event JSON in the layout of
 * {@link TraceEventWriter}: spans in timeline order (a communication span's async id is its position in
 * the timeline), then the memory samples; a measured timeline's events carry their step. Event names are
 * {@link org.modelpar.simulator.program.Instruction#name()}. Output is deterministic.
 */
public final class ChromeTraceWriter {
    private ChromeTraceWriter() {
    }

    /** Writes the trace of a step of the plan whose {@link org.modelpar.simulator.plan.PlanJson#contentHash} is {@code planHash}. */
    public static void write(Timeline timeline, String planHash, Path path) {
        try {
            AtomicFiles.write(path, out -> write(timeline, planHash, out));
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write trace: " + AtomicFiles.reason(e), e);
        }
    }

    /** As {@link #write(Timeline, String, Path)}, to a stream; an empty {@code planHash} records none. */
    public static void write(Timeline t, String planHash, OutputStream out) {
        Map<String, Integer> pid = t.deviceIndex();
        boolean steps = t.source().numbersSteps();
        try (TraceEventWriter w = TraceEventWriter.open(out, t.devices(), planHash)) {
            List<Span> spans = t.spans();
            for (int i = 0; i < spans.size(); i++) {
                Span s = spans.get(i);
                int step = steps ? s.step() : -1;
                if (s.stream() == Stream.COMPUTE) {
                    w.compute(s.name(), pid.get(s.device()), s.startSeconds(), s.endSeconds(), step);
                } else {
                    w.communication(s.name(), i, pid.get(s.device()), s.startSeconds(), s.endSeconds(), step);
                }
            }
            for (MemorySample m : t.memory()) {
                w.memory(pid.get(m.device()), m.atSeconds(), m.bytes());
            }
        }
    }
}
