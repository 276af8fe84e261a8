package org.modelpar.executor;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.trace.TraceEventWriter;

/**
 * Writes a measured trace in the simulator's Chrome trace layout ({@link TraceEventWriter}), so a
 * simulated and a measured trace open side by side in Perfetto; each event carries its step in
 * {@code args.step}.
 */
public final class TraceWriter {
    private TraceWriter() {
    }

    public static void write(ExecutionTrace trace, StepProgram program, Path path) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(trace, program, out);
        }
    }

    public static void write(ExecutionTrace trace, StepProgram program, OutputStream out) {
        List<String> devices = program.programs().stream().map(DeviceProgram::device).toList();
        Map<String, Integer> pid = new HashMap<>();
        for (int i = 0; i < devices.size(); i++) {
            pid.put(devices.get(i), i);
        }
        try (TraceEventWriter w = TraceEventWriter.open(out, devices)) {
            int id = 0;
            for (ExecutionTrace.Span s : trace.spans()) {
                int p = pid.get(s.device());
                if (s.communication()) {
                    w.communication(s.name(), id++, p, s.startSeconds(), s.endSeconds(), s.step());
                } else {
                    w.compute(s.name(), p, s.startSeconds(), s.endSeconds(), s.step());
                }
            }
            for (ExecutionTrace.MemorySample m : trace.memory()) {
                w.memory(pid.get(m.device()), m.atSeconds(), m.bytes());
            }
        }
    }
}
