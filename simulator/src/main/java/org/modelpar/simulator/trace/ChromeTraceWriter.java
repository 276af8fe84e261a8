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

    public static void write(Timeline timeline, Path path) {
        try {
            AtomicFiles.write(path, out -> write(timeline, out));
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write trace: " + AtomicFiles.reason(e), e);
        }
    }

    public static void write(Timeline t, OutputStream out) {
        Map<String, Integer> pid = t.deviceIndex();
        boolean steps = t.source().numbersSteps();
        try (TraceEventWriter w = TraceEventWriter.open(out, t.devices())) {
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
