package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * How a measured run's compute instructions varied within its steps, as factors of their typical durations, for
 * {@link org.modelpar.simulator.cost.DurationNoise}: each compute span's duration over the typical one
 * ({@link SteadyStep#typical}) of the same instruction on the same device over the steps, divided by its step's typical
 * such ratio (a step the whole host ran slower in shifts every instruction alike, which moves the typical step no more
 * than the step's typical durations do). The
 * rest is what one instruction suffers alone (a preemption, a cold cache): on the small gpt's two-stage pipeline on
 * two threads a tenth of the instructions took 1.5 times their median or more, and its steps, whose stages wait for
 * each other's messages, ran 10-20% longer than the same step at every instruction's median. The steps a garbage
 * collection paused ({@link Timeline#pausedSteps()}) are left out, as the measured step leaves them out: a pause stops
 * every thread of a process at once, for 35-90 ms where the small gpt's instructions take 4-9 ms, and drawn as one
 * instruction's factor it would land on a step as often as any of the step's instructions drew it.
 */
public final class StepSpread {
    private StepSpread() {
    }

    /**
     * The factors of the compute spans of steps {@code fromStep} and later of {@code measured}, in timeline order; none
     * without two such steps.
     */
    public static double[] factors(Timeline measured, int fromStep) {
        Map<Integer, List<Span>> byStep = measured.spansByStep(fromStep, s -> s.instruction() instanceof Compute);
        byStep.keySet().removeAll(measured.pausedSteps());
        Map<String, List<Double>> byInstruction = new HashMap<>();
        byStep.values().forEach(step -> step.forEach(
                s -> byInstruction.computeIfAbsent(key(s), k -> new ArrayList<>()).add(seconds(s))));
        if (byStep.size() < 2) {
            return new double[0];
        }
        Map<String, Double> typicals = new HashMap<>();
        byInstruction.forEach((k, v) -> typicals.put(k, typical(v)));
        List<Double> factors = new ArrayList<>();
        for (List<Span> step : byStep.values()) {
            List<Double> ratios = new ArrayList<>();
            for (Span s : step) {
                double typical = typicals.get(key(s));
                if (typical > 0 && seconds(s) > 0) {
                    ratios.add(seconds(s) / typical);
                }
            }
            if (!ratios.isEmpty()) {
                double stepFactor = typical(ratios);
                ratios.forEach(r -> factors.add(r / stepFactor));
            }
        }
        return factors.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String key(Span s) {
        return s.device() + '\u0000' + s.instruction().name();
    }

    private static double seconds(Span s) {
        return s.endSeconds() - s.startSeconds();
    }

    private static double typical(List<Double> values) {
        return SteadyStep.typical(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
