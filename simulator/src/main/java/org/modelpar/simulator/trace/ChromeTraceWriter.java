package org.modelpar.simulator.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.modelpar.simulator.engine.EngineResult;
import org.modelpar.simulator.engine.MemoryTimeline;
import org.modelpar.simulator.plan.PlanException;

/**
 * Writes a simulated step as Chrome trace event JSON ({@code {"traceEvents": [...]}}, times in
 * microseconds). One process per device (pid = its index in the step program, named by device id and
 * stage), with two threads: tid 0 the compute stream (complete "X" events), tid 1 the communication
 * stream (async "b"/"e" pairs, since sends may overlap), and a counter track "memory" (bytes). Event
 * names are {@link org.modelpar.simulator.program.Instruction#name()}, the same as in measured traces.
 * Output is deterministic.
 */
public final class ChromeTraceWriter {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ChromeTraceWriter() {
    }

    public static void write(EngineResult result, Path path) {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(result, out);
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write trace: " + e.getMessage(), e);
        }
    }

    public static void write(EngineResult result, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeArrayFieldStart("traceEvents");
            for (int d = 0; d < result.deviceCount(); d++) {
                metadata(g, "process_name", d, 0, result.deviceId(d));
                metadata(g, "thread_name", d, 0, "compute");
                metadata(g, "thread_name", d, 1, "communication");
            }
            for (int i = 0; i < result.instructionCount(); i++) {
                instruction(g, result, i);
            }
            MemoryTimeline memory = result.memoryTimeline();
            for (int i = 0; i < memory.size(); i++) {
                g.writeStartObject();
                g.writeStringField("name", "memory");
                g.writeStringField("ph", "C");
                g.writeNumberField("ts", micros(memory.seconds()[i]));
                g.writeNumberField("pid", memory.device()[i]);
                g.writeObjectFieldStart("args");
                g.writeNumberField("bytes", memory.totalBytes()[i]);
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void instruction(JsonGenerator g, EngineResult r, int i) throws IOException {
        String name = r.instruction(i).name();
        int pid = r.instructionDevice(i);
        if (r.onComputeStream(i)) {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("cat", "compute");
            g.writeStringField("ph", "X");
            g.writeNumberField("ts", micros(r.start(i)));
            g.writeNumberField("dur", micros(r.end(i)) - micros(r.start(i)));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", 0);
            g.writeEndObject();
            return;
        }
        for (String ph : new String[] {"b", "e"}) {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("cat", "communication");
            g.writeStringField("ph", ph);
            g.writeNumberField("id", i);
            g.writeNumberField("ts", micros(ph.equals("b") ? r.start(i) : r.end(i)));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", 1);
            g.writeEndObject();
        }
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
