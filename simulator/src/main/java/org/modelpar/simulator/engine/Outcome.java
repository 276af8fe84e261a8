package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.modelpar.simulator.memory.OutOfMemoryEvent;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/** What an {@link Engine} run leaves: its spans, critical path, devices' work and memory, as a {@link StepRun}. */
final class Outcome {
    private Outcome() {
    }

    /**
     * The step run of compiled program {@code c} whose instructions ran from {@code start} to {@code end}, each after the
     * dependency {@code cause} (-1: none), in {@code events} events.
     */
    static StepRun of(CompiledProgram c, double[] start, double[] end, int[] cause, MemoryTracker memory, long events) {
        List<Span> spans = new ArrayList<>(c.count);
        for (int g = 0; g < c.count; g++) {
            int d = c.device[g];
            spans.add(new Span(c.deviceIds[d], 0, g - c.deviceFirst[d], c.instructions[g], start[g], end[g]));
        }
        Timeline timeline = new Timeline(Timeline.Source.SIMULATED, List.of(c.deviceIds), spans, memory.samples(c.deviceIds),
                criticalPath(end, cause));
        List<StepRun.DeviceRun> devices = new ArrayList<>(c.deviceCount);
        for (int d = 0; d < c.deviceCount; d++) {
            devices.add(new StepRun.DeviceRun(c.deviceIds[d], c.program.programs().get(d).stage(), c.executedFlops[d],
                    c.modelFlops[d], memory.peak(d), c.capacityBytes[d]));
        }
        return new StepRun(timeline, events, devices, memory.outOfMemory().map(o -> new OutOfMemoryEvent(
                c.deviceIds[o.device()], o.atSeconds(), o.neededBytes(), o.capacityBytes(), o.breakdown())));
    }

    /**
     * The chain of instructions that decides the step time: from the last instruction to finish, back
     * through the dependency that was satisfied last, to an instruction that waited for nothing; in time order.
     */
    static List<Integer> criticalPath(double[] end, int[] cause) {
        int last = -1;
        for (int g = 0; g < end.length; g++) {
            if (last < 0 || end[g] > end[last]) {
                last = g;
            }
        }
        List<Integer> path = new ArrayList<>();
        for (int g = last; g >= 0 && path.size() <= end.length; g = cause[g]) {
            path.add(g);
        }
        Collections.reverse(path);
        return path;
    }
}
