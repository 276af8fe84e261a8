package org.modelpar.executor;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;

/**
 * Writes a measured trace in the simulator's Chrome trace layout ({@code simulator.trace.ChromeTraceWriter}):
 * one process per device (pid = its index in the step program, named by device id), tid 0 the compute
 * stream ("X" events), tid 1 the communication stream (async "b"/"e" pairs), a counter track "memory"
 * (bytes), times in microseconds, event names the instructions' names; so a simulated and a measured
 * trace open side by side in Perfetto. Each event also carries its step in {@code args}.
 */
public final class TraceWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    private TraceWriter() {
    }

    public static void write(ExecutionTrace trace, StepProgram program, Path path) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(trace, program, out);
        }
    }

    public static void write(ExecutionTrace trace, StepProgram program, OutputStream out) {
        Map<String, Integer> pid = new HashMap<>();
        List<DeviceProgram> programs = program.programs();
        for (int i = 0; i < programs.size(); i++) {
            pid.put(programs.get(i).device(), i);
        }
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeArrayFieldStart("traceEvents");
            for (int d = 0; d < programs.size(); d++) {
                metadata(g, "process_name", d, 0, programs.get(d).device());
                metadata(g, "thread_name", d, 0, "compute");
                metadata(g, "thread_name", d, 1, "communication");
            }
            int id = 0;
            for (ExecutionTrace.Span s : trace.spans()) {
                int p = pid.get(s.device());
                if (!s.communication()) {
                    g.writeStartObject();
                    g.writeStringField("name", s.name());
                    g.writeStringField("cat", "compute");
                    g.writeStringField("ph", "X");
                    g.writeNumberField("ts", micros(s.startSeconds()));
                    g.writeNumberField("dur", micros(s.endSeconds()) - micros(s.startSeconds()));
                    g.writeNumberField("pid", p);
                    g.writeNumberField("tid", 0);
                    args(g, s.step());
                    g.writeEndObject();
                    continue;
                }
                for (String ph : new String[] {"b", "e"}) {
                    g.writeStartObject();
                    g.writeStringField("name", s.name());
                    g.writeStringField("cat", "communication");
                    g.writeStringField("ph", ph);
                    g.writeNumberField("id", id);
                    g.writeNumberField("ts", micros(ph.equals("b") ? s.startSeconds() : s.endSeconds()));
                    g.writeNumberField("pid", p);
                    g.writeNumberField("tid", 1);
                    args(g, s.step());
                    g.writeEndObject();
                }
                id++;
            }
            for (ExecutionTrace.MemorySample m : trace.memory()) {
                g.writeStartObject();
                g.writeStringField("name", "memory");
                g.writeStringField("ph", "C");
                g.writeNumberField("ts", micros(m.atSeconds()));
                g.writeNumberField("pid", pid.get(m.device()));
                g.writeObjectFieldStart("args");
                g.writeNumberField("bytes", m.bytes());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void args(JsonGenerator g, int step) throws IOException {
        g.writeObjectFieldStart("args");
        g.writeNumberField("step", step);
        g.writeEndObject();
    }

    private static void metadata(JsonGenerator g, String kind, int pid, int tid, String name) throws IOException {
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
