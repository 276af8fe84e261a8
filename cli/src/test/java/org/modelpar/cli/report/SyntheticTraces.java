package org.modelpar.cli.report;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Hand-computed timelines: a GPipe step on p stages (one device each, {@code gpu<s>}) with m micro-batches,
 * forward {@code tf} and backward {@code tb} seconds per micro-batch, free communication, and memory per
 * device that grows by {@code stashBytes} per stashed micro-batch.
 */
final class SyntheticTraces {
    private SyntheticTraces() {
    }

    static Timeline gpipe(int p, int m, double tf, double tb, long baseBytes, long stashBytes) {
        List<String> devices = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        List<MemorySample> memory = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            String d = "gpu" + s;
            devices.add(d);
            memory.add(new MemorySample(d, 0, baseBytes));
            for (int i = 0; i < m; i++) {
                double start = (s + i) * tf;
                spans.add(new Span(d, 0, i, new Compute(s, i, Direction.FORWARD, false), start, start + tf));
                memory.add(new MemorySample(d, start + tf, baseBytes + (i + 1) * stashBytes));
            }
            double backStart = (m + p - 1) * tf;
            for (int i = m - 1; i >= 0; i--) {
                double start = backStart + ((p - 1 - s) + (m - 1 - i)) * tb;
                spans.add(new Span(d, 0, 2 * m - 1 - i, new Compute(s, i, Direction.BACKWARD, false), start, start + tb));
                memory.add(new MemorySample(d, start + tb, baseBytes + i * stashBytes));
            }
        }
        return new Timeline(Timeline.Source.SIMULATED, devices, spans, memory, List.of());
    }
}
