package org.modelpar.simulator.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The Chrome trace layout shared by simulated and measured traces ({@code {"traceEvents": [...]}},
 * times in microseconds): one process per device (pid = its index in the step program, named by device
 * id), tid 0 its compute stream (complete "X" events), tid 1 its communication stream (async "b"/"e"
 * pairs, since sends may overlap), and a counter track "memory" (bytes). Events may carry the training
 * step they belong to in {@code args.step} (measured traces span several steps; a negative step omits it).
 */
public final class TraceEventWriter implements AutoCloseable {
    /** The field of {@code otherData} that names the plan a trace is of. */
    static final String PLAN_FIELD = "plan";
    private static final JsonFactory FACTORY = new JsonFactory();

    private final JsonGenerator g;

    private TraceEventWriter(JsonGenerator g) {
        this.g = g;
    }

    /**
     * Starts a trace whose processes are the given devices, in step-program order; a non-empty
     * {@code planHash} ({@link org.modelpar.simulator.plan.PlanJson#contentHash}) is recorded as
     * {@code otherData.plan}, the trace format's place for metadata.
     */
    public static TraceEventWriter open(OutputStream out, List<String> deviceIds, String planHash) {
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
                w.metadata("process_name", d, 0, deviceIds.get(d));
                w.metadata("thread_name", d, 0, "compute");
                w.metadata("thread_name", d, 1, "communication");
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A compute-stream instruction. */
    public void compute(String name, int pid, double startSeconds, double endSeconds, int step) {
        try {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("cat", "compute");
            g.writeStringField("ph", "X");
            g.writeNumberField("ts", micros(startSeconds));
            g.writeNumberField("dur", micros(endSeconds) - micros(startSeconds));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", 0);
            step(step);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A communication-stream instruction; {@code id} pairs its begin and end events. */
    public void communication(String name, int id, int pid, double startSeconds, double endSeconds, int step) {
        try {
            for (String ph : new String[] {"b", "e"}) {
                g.writeStartObject();
                g.writeStringField("name", name);
                g.writeStringField("cat", "communication");
                g.writeStringField("ph", ph);
                g.writeNumberField("id", id);
                g.writeNumberField("ts", micros(ph.equals("b") ? startSeconds : endSeconds));
                g.writeNumberField("pid", pid);
                g.writeNumberField("tid", 1);
                step(step);
                g.writeEndObject();
            }
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

    private void step(int step) throws IOException {
        if (step >= 0) {
            g.writeObjectFieldStart("args");
            g.writeNumberField("step", step);
            g.writeEndObject();
        }
    }

    private void metadata(String kind, int pid, int tid, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", kind);
        g.writeStringField("ph", "M");
        g.writeNumberField("pid", pid);
        g.writeNumberField("tid", tid);
        g.writeObjectFieldStart("args");
        g.writeStringField("name", name);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static double micros(double seconds) {
        return seconds * 1e6;
    }
}
