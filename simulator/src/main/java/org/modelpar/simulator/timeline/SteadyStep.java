package org.modelpar.simulator.timeline;

import java.util.List;

/**
 * The one statistic a measured run's step time is reported as, by {@code train}, {@code run} and the report
 * alike: the median of the steady steps, the second half of the run when it has at least four steps (the JIT
 * compiles ND4J's Java paths over the first few dozen steps, which run up to 2x slower), else all steps but
 * the first when there are three, else all.
 */
public final class SteadyStep {
    private SteadyStep() {
    }

    /** How many of a run's first {@code steps} steps come before its steady ones. */
    public static int firstSteady(int steps) {
        return steps >= 4 ? steps / 2 : steps == 3 ? 1 : 0;
    }

    /** The statistic of the given step times, in run order; 0 for none. */
    public static double seconds(List<Double> stepSeconds) {
        int n0 = stepSeconds.size();
        double[] sorted = stepSeconds.subList(firstSteady(n0), n0).stream()
                .mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The statistic of a measured timeline's steps, each lasting from its first instruction's start to its last one's end. */
    public static double seconds(Timeline measured) {
        return seconds(measured.spans().stream().mapToInt(Span::step).distinct().sorted()
                .mapToObj(s -> measured.step(s).durationSeconds()).toList());
    }
}
