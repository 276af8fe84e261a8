package org.modelpar.simulator.trace;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.engine.EngineResult;
import org.modelpar.simulator.engine.MemoryTimeline;
import org.modelpar.simulator.plan.PlanException;

/**
 * Writes a simulated step as Chrome trace event JSON in the layout of {@link TraceEventWriter}, the same
 * as measured traces. Event names are {@link org.modelpar.simulator.program.Instruction#name()}.
 * Output is deterministic.
 */
public final class ChromeTraceWriter {
    private ChromeTraceWriter() {
    }

    public static void write(EngineResult result, Path path) {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(result, out);
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write trace: " + e.getMessage(), e);
        }
    }

    public static void write(EngineResult r, OutputStream out) {
        List<String> devices = new ArrayList<>(r.deviceCount());
        for (int d = 0; d < r.deviceCount(); d++) {
            devices.add(r.deviceId(d));
        }
        try (TraceEventWriter w = TraceEventWriter.open(out, devices)) {
            for (int i = 0; i < r.instructionCount(); i++) {
                String name = r.instruction(i).name();
                if (r.onComputeStream(i)) {
                    w.compute(name, r.instructionDevice(i), r.start(i), r.end(i), -1);
                } else {
                    w.communication(name, i, r.instructionDevice(i), r.start(i), r.end(i), -1);
                }
            }
            MemoryTimeline memory = r.memoryTimeline();
            for (int i = 0; i < memory.size(); i++) {
                w.memory(memory.device()[i], memory.seconds()[i], memory.totalBytes()[i]);
            }
        }
    }
}
