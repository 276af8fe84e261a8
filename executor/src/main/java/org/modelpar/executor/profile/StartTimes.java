package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * When each worker began its steps in a measured run, after the first one: every step is handed to each worker (a
 * thread by its executor, a process by the coordinator's answer to its last report), and the workers wake one after
 * another. The small mlp's two-stage, two-replica ZeRO-2 plan on four worker processes of two cores began its first
 * stage 0.5-1.6 ms after the step's first worker (each device's median step), which the simulation, whose devices all
 * begin at 0, did not have: with it the prediction read 0.92 of the measured step against 0.86 (same run). The simulator
 * prices it as {@code CostModel.startSeconds} of the device ({@link CalibratedCostModel#withStartSeconds}), at the
 * medians ({@link #medians}) or, where the simulated steps vary, as one measured step began ({@link #ofStep}).
 *
 * <p>Only the part of a late start during which the host had a core free counts: while as many other workers as it
 * has cores were computing, the worker waited for a core, which the simulation already charges by sharing the host
 * among the busy workers (each of k computes at {@code C / k}).
 */
public record StartTimes(List<Map<String, Double>> steps) {
    public StartTimes {
        steps = steps.stream().map(step -> Collections.unmodifiableMap(new TreeMap<>(step))).toList();
    }

    /**
     * Steps {@code fromStep} and later of {@code measured}: in each, every device's time from the step's first span's
     * start to its own first span's start during which fewer than {@code cores} other devices were computing (0 for the
     * first device). Spans of one host's clock: the runs measured here are on one machine.
     */
    public static StartTimes of(Timeline measured, int fromStep, int cores) {
        List<Map<String, Double>> steps = new ArrayList<>();
        for (List<Span> step : measured.spansByStep(fromStep, s -> true).values()) {
            Map<String, Double> firstStarts = new TreeMap<>();
            step.forEach(s -> firstStarts.merge(s.device(), s.startSeconds(), Math::min));
            double first = firstStarts.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            Map<String, Double> offsets = new TreeMap<>();
            firstStarts.forEach((device, start) -> offsets.put(device, unsaturatedSeconds(step, device, first, start, cores)));
            steps.add(offsets);
        }
        return new StartTimes(steps);
    }

    /**
     * Per device, the median over the steps, less the least such median (so the device that usually begins first
     * begins at 0, as a simulated step's first device does): the median step, as the measured step is the median one.
     */
    public Map<String, Double> medians() {
        Map<String, List<Double>> offsets = new TreeMap<>();
        steps.forEach(step -> step.forEach((device, offset) -> offsets.computeIfAbsent(device, d -> new ArrayList<>()).add(offset)));
        Map<String, Double> medians = new TreeMap<>();
        offsets.forEach((device, values) -> medians.put(device,
                SteadyStep.typical(values.stream().mapToDouble(Double::doubleValue).toArray())));
        double least = medians.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        medians.replaceAll((device, median) -> median - least);
        return medians;
    }

    /**
     * One measured step's offsets for simulated step {@code seed} (step {@code seed} modulo the steps): where the
     * simulated steps vary as the run's did, they begin as its steps did too. Two data-parallel ranks that take turns
     * at beginning late have small medians, yet one of them always waits for the other: the small mlp's two ranks on
     * two worker processes began a median 1.43 ms apart while their medians were 0.17 and 0 ms.
     */
    public Map<String, Double> ofStep(long seed) {
        return steps.isEmpty() ? Map.of() : steps.get((int) Math.floorMod(seed, (long) steps.size()));
    }

    /** The time within [from, to] during which fewer than {@code cores} compute spans of devices other than {@code device} ran. */
    static double unsaturatedSeconds(List<Span> step, String device, double from, double to, int cores) {
        List<double[]> edges = new ArrayList<>();
        for (Span s : step) {
            if (!s.device().equals(device) && s.stream() == Stream.COMPUTE && s.endSeconds() > from && s.startSeconds() < to) {
                edges.add(new double[] {Math.max(from, s.startSeconds()), 1});
                edges.add(new double[] {Math.min(to, s.endSeconds()), -1});
            }
        }
        edges.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        double free = 0;
        double at = from;
        int computing = 0;
        for (double[] e : edges) {
            if (computing < cores) {
                free += e[0] - at;
            }
            at = e[0];
            computing += (int) e[1];
        }
        return free + (computing < cores ? to - at : 0);
    }
}
