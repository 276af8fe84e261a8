package org.modelpar.simulator.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Chrome trace layout shared by simulated and measured traces ({@code {"traceEvents": [...]}},
 * times in microseconds): one process per device (pid = its index in the timeline, named by device id,
 * labelled with its stage and sorted by stage, so a stage's devices sit together), tid 0 its compute stream,
 * tids 1, 2, ... its communication stream (complete "X" events; sends may overlap, so each takes the first
 * lane free at its start), flow events ("s" / "f") drawing an arrow from each send to its receive, and a
 * counter track "memory" (bytes), and a global instant event "garbage collection" on each step a collection paused
 * (measured traces). Events carry in {@code args} the training step they belong to (measured
 * traces span several steps; a negative step omits it), the bytes a transfer moves and the FLOPs a compute
 * instruction does (when known).
 */
public final class TraceEventWriter implements AutoCloseable {
    /** The field of {@code otherData} that names the plan a trace is of. */
    static final String PLAN_FIELD = "plan";
    /** The name of the instant event that marks a step a garbage collection paused. */
    static final String PAUSE = "garbage collection";
    private static final JsonFactory FACTORY = new JsonFactory();

    private final JsonGenerator g;
    /** The communication lanes whose thread is named already, per pid. */
    private final Map<Integer, Set<Integer>> namedLanes = new HashMap<>();

    private TraceEventWriter(JsonGenerator g) {
        this.g = g;
    }

    /**
     * Starts a trace whose processes are the given devices, in timeline order, each labelled with its stage
     * ({@code stageOf}, -1 when unknown); a non-empty {@code planHash}
     * ({@link org.modelpar.simulator.plan.PlanJson#contentHash}) is recorded as {@code otherData.plan}, the trace
     * format's place for metadata.
     */
    public static TraceEventWriter open(OutputStream out, List<String> deviceIds, List<Integer> stageOf, String planHash) {
        try {
            TraceEventWriter w = new TraceEventWriter(FACTORY.createGenerator(out, JsonEncoding.UTF8));
            w.g.writeStartObject();
            w.g.writeStringField("displayTimeUnit", "ms");
            if (!planHash.isEmpty()) {
                w.g.writeObjectFieldStart("otherData");
                w.g.writeStringField(PLAN_FIELD, planHash);
                w.g.writeEndObject();
            }
            w.g.writeArrayFieldStart("traceEvents");
            for (int d = 0; d < deviceIds.size(); d++) {
                w.metadata("process_name", d, 0, "name", deviceIds.get(d));
                if (stageOf.get(d) >= 0) {
                    w.metadata("process_labels", d, 0, "labels", "stage " + stageOf.get(d));
                    w.g.writeStartObject();
                    w.g.writeStringField("name", "process_sort_index");
                    w.g.writeStringField("ph", "M");
                    w.g.writeNumberField("pid", d);
                    w.g.writeObjectFieldStart("args");
                    w.g.writeNumberField("sort_index", (long) stageOf.get(d) * deviceIds.size() + d);
                    w.g.writeEndObject();
                    w.g.writeEndObject();
                }
                w.metadata("thread_name", d, 0, "name", "compute");
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A compute-stream instruction doing {@code flops} (0: unknown, left out). */
    public void compute(String name, int pid, double startSeconds, double endSeconds, int step, double flops) {
        span(name, "compute", pid, 0, startSeconds, endSeconds, step, "flops", flops);
    }

    /** A communication-stream instruction moving {@code bytes}, on lane {@code lane} (0, 1, ...) of the device's stream. */
    public void communication(String name, int pid, int lane, double startSeconds, double endSeconds, int step, long bytes) {
        try {
            if (namedLanes.computeIfAbsent(pid, k -> new HashSet<>()).add(lane)) {
                metadata("thread_name", pid, 1 + lane, "name", lane == 0 ? "communication" : "communication " + (lane + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        span(name, "communication", pid, 1 + lane, startSeconds, endSeconds, step, "bytes", bytes);
    }

    /**
     * One end of the arrow {@code id} from a send to its receive: the start ({@code "s"}) inside the send's event,
     * the finish ({@code "f"}, bound to the enclosing event) inside the receive's.
     */
    public void flow(long id, boolean start, int pid, int lane, double atSeconds) {
        try {
            g.writeStartObject();
            g.writeStringField("name", "message");
            g.writeStringField("cat", "flow");
            g.writeStringField("ph", start ? "s" : "f");
            if (!start) {
                g.writeStringField("bp", "e");
            }
            g.writeNumberField("id", id);
            g.writeNumberField("ts", micros(atSeconds));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", 1 + lane);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void span(String name, String category, int pid, int tid, double startSeconds, double endSeconds, int step,
                      String amountField, double amount) {
        try {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("cat", category);
            g.writeStringField("ph", "X");
            g.writeNumberField("ts", micros(startSeconds));
            g.writeNumberField("dur", micros(endSeconds) - micros(startSeconds));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", tid);
            if (step >= 0 || amount > 0) {
                g.writeObjectFieldStart("args");
                if (step >= 0) {
                    g.writeNumberField("step", step);
                }
                if (amount > 0 && amount == Math.rint(amount) && amount < Long.MAX_VALUE) {
                    g.writeNumberField(amountField, (long) amount);
                } else if (amount > 0) {
                    g.writeNumberField(amountField, amount);
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A sample of the device's allocated bytes. */
    public void memory(int pid, double atSeconds, long bytes) {
        try {
            g.writeStartObject();
            g.writeStringField("name", "memory");
            g.writeStringField("ph", "C");
            g.writeNumberField("ts", micros(atSeconds));
            g.writeNumberField("pid", pid);
            g.writeObjectFieldStart("args");
            g.writeNumberField("bytes", bytes);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A global instant event ({@code "ph": "i", "s": "g"}, a line across every device) named {@value #PAUSE}: a garbage
     * collection paused step {@code step}, which began at {@code atSeconds}.
     */
    public void pause(int step, double atSeconds) {
        try {
            g.writeStartObject();
            g.writeStringField("name", PAUSE);
            g.writeStringField("cat", "pause");
            g.writeStringField("ph", "i");
            g.writeStringField("s", "g");
            g.writeNumberField("ts", micros(atSeconds));
            g.writeNumberField("pid", 0);
            g.writeNumberField("tid", 0);
            g.writeObjectFieldStart("args");
            g.writeNumberField("step", step);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the event list and the document. */
    @Override
    public void close() {
        try {
            g.writeEndArray();
            g.writeEndObject();
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void metadata(String kind, int pid, int tid, String key, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", kind);
        g.writeStringField("ph", "M");
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeStringField(key, value);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static double micros(double seconds) {
        return seconds * 1e6;
    }
}
