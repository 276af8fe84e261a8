package org.modelpar.executor.profile;

import java.util.Arrays;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.executor.Ticker;

/**
 * Warm-up, then repetitions, then their typical value ({@link SteadyStep#typical}) and their mean: the profiler's and the
 * calibration's way to time a kernel.
 */
public final class Timing {
    private final Ticker ticker;
    private final int warmups;
    private final int repetitions;

    public Timing(Ticker ticker, int warmups, int repetitions) {
        if (repetitions < 1 || warmups < 0) {
            throw new IllegalArgumentException("need at least one repetition and no negative warm-ups, got "
                    + repetitions + " and " + warmups);
        }
        this.ticker = ticker;
        this.warmups = warmups;
        this.repetitions = repetitions;
    }

    /**
     * Seconds of one run of {@code work}: the typical one of the repetitions ({@link SteadyStep#typical}, robust to the
     * occasional preemption), their
     * spread, the interquartile range (the quartiles being the medians of the lower and upper halves), and their mean
     * (what a sum of many such runs takes each on a host shared with other processes, preemptions included).
     */
    public record Measured(double typicalSeconds, double interquartileSeconds, double meanSeconds) {
    }

    /** Typical seconds of one run of {@code work} ({@link SteadyStep#typical}). */
    public double typicalSeconds(Runnable work) {
        return measure(work).typicalSeconds();
    }

    /** Typical value and interquartile range of the seconds of one run of {@code work}, after the warm-ups. */
    public Measured measure(Runnable work) {
        for (int i = 0; i < warmups; i++) {
            work.run();
        }
        double[] s = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = ticker.nanos();
            work.run();
            s[i] = (ticker.nanos() - start) / 1e9;
        }
        Arrays.sort(s);
        int half = s.length / 2;
        double lower = SteadyStep.median(Arrays.copyOfRange(s, 0, Math.max(1, half)));
        double upper = SteadyStep.median(Arrays.copyOfRange(s, s.length - Math.max(1, half), s.length));
        return new Measured(typical(s), upper - lower, mean(s));
    }

    /** Mean of values (0 for none). */
    public static double mean(double[] values) {
        return values.length == 0 ? 0 : Arrays.stream(values).sum() / values.length;
    }

    /** The typical value of values ({@link SteadyStep#typical}: their interquartile mean). */
    public static double typical(double[] values) {
        return SteadyStep.typical(values);
    }
}
