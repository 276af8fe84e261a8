package org.modelpar.executor.profile;

import java.util.Arrays;
import org.modelpar.executor.Ticker;

/** Warm-up, then repetitions, then the median: the profiler's and the calibration's way to time a kernel. */
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

    /** Median seconds of one run of {@code work}. */
    public double medianSeconds(Runnable work) {
        for (int i = 0; i < warmups; i++) {
            work.run();
        }
        double[] s = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            long start = ticker.nanos();
            work.run();
            s[i] = (ticker.nanos() - start) / 1e9;
        }
        return median(s);
    }

    /** Median of values (mean of the middle two for an even count). */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
