package org.modelpar.simulator.trace;

import org.modelpar.graph.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Writes a simulated or measured {@link Timeline} as Chrome trace event JSON in the layout of
 * {@link TraceEventWriter}: spans in timeline order, each communication span on the first lane of its device's
 * communication stream that is free at its start, an arrow from each send to the receive it matches (the k-th
 * send from a device to a peer with a payload in a step matches the k-th such receive, the program's message
 * order), then the memory samples, then a global instant event at the start of each step a garbage collection paused;
 * a measured timeline's events carry their step. Event names are
 * {@link org.modelpar.simulator.program.Instruction#name()}. Output is deterministic.
 */
public final class ChromeTraceWriter {
    private ChromeTraceWriter() {
    }

    /**
     * What a trace says beyond its timeline.
     *
     * @param planHash the {@link org.modelpar.simulator.plan.PlanJson#contentHash} of the plan it ran (empty: none)
     * @param flops    the FLOPs of a compute instruction (0: unknown)
     */
    public record Details(String planHash, ToDoubleFunction<Instruction> flops) {
        /** No plan hash and no FLOPs. */
        public static final Details NONE = new Details("", i -> 0);
    }

    public static void write(Timeline timeline, Details details, Path path) {
        try {
            AtomicFiles.write(path, out -> write(timeline, details, out));
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write trace: " + AtomicFiles.reason(e), e);
        }
    }

    public static void write(Timeline t, Details details, OutputStream out) {
        Map<String, Integer> pid = t.deviceIndex();
        List<Integer> stages = new ArrayList<>(Collections.nCopies(t.devices().size(), -1));
        t.spans().forEach(s -> stages.set(pid.get(s.device()), s.instruction().stage()));
        int[] lane = lanes(t.spans());
        Map<String, List<Integer>> sends = new HashMap<>();
        Map<String, List<Integer>> receives = new HashMap<>();
        boolean steps = t.source().numbersSteps();
        try (TraceEventWriter w = TraceEventWriter.open(out, t.devices(), stages, details.planHash())) {
            List<Span> spans = t.spans();
            for (int i = 0; i < spans.size(); i++) {
                Span s = spans.get(i);
                int step = steps ? s.step() : -1;
                if (s.stream() == Stream.COMPUTE) {
                    w.compute(s.name(), pid.get(s.device()), s.startSeconds(), s.endSeconds(), step,
                            details.flops().applyAsDouble(s.instruction()));
                } else {
                    w.communication(s.name(), pid.get(s.device()), lane[i], s.startSeconds(), s.endSeconds(), step, s.bytes());
                    if (s.instruction() instanceof Send send) {
                        sends.computeIfAbsent(message(s.step(), s.device(), send.peer(), send.payload().shortName()),
                                k -> new ArrayList<>()).add(i);
                    } else if (s.instruction() instanceof Recv recv) {
                        receives.computeIfAbsent(message(s.step(), recv.peer(), s.device(), recv.payload().shortName()),
                                k -> new ArrayList<>()).add(i);
                    }
                }
            }
            Comparator<Integer> programOrder = Comparator.comparingInt(i -> spans.get(i).index());
            long id = 0;
            for (Map.Entry<String, List<Integer>> e : new TreeMap<>(sends).entrySet()) {
                List<Integer> from = e.getValue().stream().sorted(programOrder).toList();
                List<Integer> to = receives.getOrDefault(e.getKey(), List.of()).stream().sorted(programOrder).toList();
                for (int k = 0; k < Math.min(from.size(), to.size()); k++) {
                    Span a = spans.get(from.get(k));
                    Span b = spans.get(to.get(k));
                    w.flow(id, true, pid.get(a.device()), lane[from.get(k)], (a.startSeconds() + a.endSeconds()) / 2);
                    w.flow(id++, false, pid.get(b.device()), lane[to.get(k)], (b.startSeconds() + b.endSeconds()) / 2);
                }
            }
            for (MemorySample m : t.memory()) {
                w.memory(pid.get(m.device()), m.atSeconds(), m.bytes());
            }
            Map<Integer, Double> stepStart = new HashMap<>();
            spans.forEach(s -> stepStart.merge(s.step(), s.startSeconds(), Math::min));
            for (int step : t.pausedSteps()) {
                w.pause(step, stepStart.getOrDefault(step, 0.0));
            }
        }
    }

    private static String message(int step, String from, String to, String payload) {
        return step + "|" + from + "|" + to + "|" + payload;
    }

    /** Each communication span's lane on its device: the lowest whose last span ended by its start, in start order. */
    private static int[] lanes(List<Span> spans) {
        int[] lane = new int[spans.size()];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            if (spans.get(i).stream() != Stream.COMPUTE) {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingDouble((Integer i) -> spans.get(i).startSeconds()).thenComparing(i -> i));
        Map<String, List<Double>> laneEnds = new HashMap<>();
        for (int i : order) {
            Span s = spans.get(i);
            List<Double> ends = laneEnds.computeIfAbsent(s.device(), k -> new ArrayList<>());
            int l = 0;
            while (l < ends.size() && ends.get(l) > s.startSeconds()) {
                l++;
            }
            if (l == ends.size()) {
                ends.add(s.endSeconds());
            } else {
                ends.set(l, s.endSeconds());
            }
            lane[i] = l;
        }
        return lane;
    }
}
