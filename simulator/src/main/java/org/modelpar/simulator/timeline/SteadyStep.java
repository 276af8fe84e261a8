package org.modelpar.simulator.timeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

/**
 * The one statistic a measured run's step time is reported as, by {@code train}, {@code run} and the report
 * alike: the typical one ({@link #typical}, the interquartile mean) of the steady steps, the second half of the run
 * when it has at least four steps (the JIT compiles ND4J's Java paths over the first few dozen steps, which run up to
 * 2x slower), else all steps but the first when there are three, else all; of those, the steps no garbage collection paused
 * ({@link Timeline#pausedSteps()}), unless every one was. A young collection stops a whole process for tens of
 * milliseconds, which no prediction prices; the calibration a comparison takes between the steps of worker threads
 * leaves garbage that paused 3-9 of the 30 steady steps of the small gpt's two-stage pipeline, and with them their median
 * read 1-13% above that of the others.
 */
public final class SteadyStep {
    private SteadyStep() {
    }

    /** How many of a run's first {@code steps} steps come before its steady ones. */
    public static int firstSteady(int steps) {
        return steps >= 4 ? steps / 2 : steps == 3 ? 1 : 0;
    }

    /** The statistic of the given step times, in run order, none of them paused; 0 for none. */
    public static double seconds(List<Double> stepSeconds) {
        return seconds(stepSeconds, 0, List.of());
    }

    /**
     * The statistic of the given step times, in run order, the first being step {@code firstStep}, leaving out the steps
     * in {@code paused}; 0 for none.
     */
    public static double seconds(List<Double> stepSeconds, int firstStep, Collection<Integer> paused) {
        return typical(counted(stepSeconds.size(), i -> firstStep + i, paused).stream().mapToDouble(stepSeconds::get).toArray());
    }

    /**
     * The position in {@code stepSeconds} (run order) of the steady step that stands for the statistic: the median one
     * (of an even count the shorter of the middle two; equal times keep their run order), whose timeline a comparison reads
     * beside the median step time (the last step may be a rare slow one); 0 for none.
     */
    public static int medianStep(List<Double> stepSeconds) {
        return medianStep(stepSeconds, 0, List.of());
    }

    /** {@link #medianStep(List)} of the steps {@link #seconds(List, int, Collection)} counts. */
    public static int medianStep(List<Double> stepSeconds, int firstStep, Collection<Integer> paused) {
        List<Integer> steady = new ArrayList<>(counted(stepSeconds.size(), i -> firstStep + i, paused));
        steady.sort(Comparator.comparingDouble(stepSeconds::get));
        return steady.isEmpty() ? 0 : steady.get((steady.size() - 1) / 2);
    }

    /**
     * The positions (of {@code n} steps, position i being step {@code stepOf(i)}) of the steady steps the statistic
     * counts: those not in {@code paused}, or all of them when every one is.
     */
    private static List<Integer> counted(int n, IntUnaryOperator stepOf, Collection<Integer> paused) {
        List<Integer> steady = new ArrayList<>();
        for (int i = firstSteady(n); i < n; i++) {
            steady.add(i);
        }
        return unpausedOrAll(steady, i -> paused.contains(stepOf.applyAsInt(i)));
    }

    /**
     * The steps of {@code steps} that a garbage collection did not pause ({@code paused} does not hold), or all of them
     * when it paused every one: what the statistic of steps, and every per-step measurement compared with it, counts.
     */
    public static <T> List<T> unpausedOrAll(List<T> steps, Predicate<T> paused) {
        List<T> unpaused = steps.stream().filter(paused.negate()).toList();
        return unpaused.isEmpty() ? List.copyOf(steps) : unpaused;
    }

    /**
     * The interquartile mean of {@code values}: the mean of what is left once the lowest and the highest quarter
     * ({@code floor(n / 4)} values each) are set aside; with fewer than four, where no value would be set aside, their
     * median; 0 for none. The statistic of steady steps, and of every per-step
     * measurement compared with them: like the median it leaves a rare pause or preemption out, and unlike the median it
     * moves with the share of slow values. This host's speed switches between modes for seconds at a time (the small
     * gpt's forward on one worker took 19 ms or 28-30 ms in stretches of several steps); a median jumps by the whole gap
     * when the slow share of the steps and that of the calibration's samples between them fall on either side of one
     * half. Over 17 alternating pairs of runs (gpt on one worker, gpt's two-stage 1F1B and the mlp on one worker, threads)
     * 16 predictions were within 10% of the measured step with this statistic on both sides, 9 with the median.
     */
    public static double typical(double[] values) {
        if (values.length < 4) {
            return median(values);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int k = n / 4;
        double sum = 0;
        for (int i = k; i < n - k; i++) {
            sum += sorted[i];
        }
        return sum / (n - 2 * k);
    }

    /** The median of {@code values} (the mean of the middle two for an even count; 0 for none). */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The statistic of a measured timeline's steps, each lasting from its first instruction's start to its last one's end. */
    public static double seconds(Timeline measured) {
        SortedMap<Integer, Double> byStep = instructionSeconds(measured);
        List<Integer> steps = List.copyOf(byStep.keySet());
        List<Double> seconds = List.copyOf(byStep.values());
        return typical(counted(steps.size(), steps::get, measured.pausedSteps()).stream().mapToDouble(seconds::get).toArray());
    }

    /**
     * Per step of {@code timeline} that has instructions, in step order: from its first instruction's start to its
     * last one's end, over every device (one pass over the spans).
     */
    public static SortedMap<Integer, Double> instructionSeconds(Timeline timeline) {
        SortedMap<Integer, double[]> window = new TreeMap<>();
        for (Span s : timeline.spans()) {
            double[] w = window.computeIfAbsent(s.step(), k -> new double[] {s.startSeconds(), s.endSeconds()});
            w[0] = Math.min(w[0], s.startSeconds());
            w[1] = Math.max(w[1], s.endSeconds());
        }
        SortedMap<Integer, Double> seconds = new TreeMap<>();
        window.forEach((step, w) -> seconds.put(step, w[1] - w[0]));
        return seconds;
    }
}
