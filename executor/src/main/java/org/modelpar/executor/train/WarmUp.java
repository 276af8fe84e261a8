package org.modelpar.executor.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.modelpar.executor.Executor;

/**
 * The one rule for when a run's warm-up is over, for worker threads and worker processes alike. A fresh JVM runs
 * its first steps slower while its JIT compiles the executor's, ND4J's and (in a worker process) gRPC's Java
 * paths, and a worker process compiles them on its own, so without a warm-up a run of processes would be timed
 * against threads that share one JVM's compiled code. Warm-up steps are steps of a throwaway executor (the run
 * proper starts from its seed as if there had been none, so its results do not change), timed like the run's
 * (a step of several devices takes as long as its slowest); they stop once the steps no longer get faster:
 * the median of the last {@link #WINDOW} steps is at least {@code 1 -} {@link #TOLERANCE} of the median of the
 * {@link #WINDOW} before them (a rule over the measured times, whatever the machine), or after
 * {@link #MOST_STEPS}, a bound for a machine too noisy to settle.
 */
public final class WarmUp {
    /** Steps per window of the rule. */
    static final int WINDOW = 5;
    /** How much faster the last window may be than the one before and still count as steady. */
    static final double TOLERANCE = 0.05;
    /** The most warm-up steps. */
    static final int MOST_STEPS = 100;

    private WarmUp() {
    }

    /**
     * Runs warm-up steps on {@code warm}, a throwaway executor, with the data of the run's first steps, until
     * {@code done} says so after a step (given every step's time so far), and returns their times.
     */
    public static List<Double> run(Executor warm, SyntheticTask task, int globalBatch, Predicate<List<Double>> done) {
        List<Double> seconds = new ArrayList<>();
        do {
            seconds.add(warm.step(task.batch(seconds.size(), globalBatch)).seconds());
        } while (!done.test(List.copyOf(seconds)));
        return seconds;
    }

    /** Whether warm-up steps that took {@code stepSeconds} (in order) are enough. */
    public static boolean done(List<Double> stepSeconds) {
        int n = stepSeconds.size();
        if (n >= MOST_STEPS) {
            return true;
        }
        if (n < 2 * WINDOW) {
            return false;
        }
        return median(stepSeconds.subList(n - WINDOW, n)) >= (1 - TOLERANCE) * median(stepSeconds.subList(n - 2 * WINDOW, n - WINDOW));
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
