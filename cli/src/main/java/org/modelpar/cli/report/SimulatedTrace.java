package org.modelpar.cli.report;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.engine.EngineResult;
import org.modelpar.simulator.engine.MemoryTimeline;

/**
 * A simulated step as a {@link Trace}, read straight from the engine's result with the track names of
 * the simulator's Chrome trace ({@code <device> compute}, {@code <device> communication},
 * {@code <device> memory}), so it needs no JSON round trip for large clusters.
 */
public final class SimulatedTrace {
    private SimulatedTrace() {
    }

    public static Trace of(EngineResult r) {
        List<Trace.Span> spans = new ArrayList<>(r.instructionCount());
        for (int g = 0; g < r.instructionCount(); g++) {
            String device = r.deviceId(r.instructionDevice(g));
            spans.add(new Trace.Span(device + (r.onComputeStream(g) ? " compute" : " communication"), r.instruction(g).name(),
                    r.start(g), r.end(g) - r.start(g), -1));
        }
        MemoryTimeline m = r.memoryTimeline();
        List<Trace.Counter> counters = new ArrayList<>(m.size());
        for (int i = 0; i < m.size(); i++) {
            counters.add(new Trace.Counter(r.deviceId(m.device()[i]) + " memory", m.seconds()[i], m.totalBytes()[i]));
        }
        return new Trace(spans, counters);
    }
}
