package org.modelpar.executor.train;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.modelpar.executor.Executor;
import org.modelpar.simulator.timeline.SteadyStep;

/**
 * The one rule for when a run's warm-up is over, for worker threads and worker processes alike. A fresh JVM runs
 * its first steps slower while its JIT compiles the executor's, ND4J's and (in a worker process) gRPC's Java
 * paths, and a worker process compiles them on its own. On a host whose cores the workers fill, the compiler's
 * threads take their share of the cores from the workers for as long as they compile: the small gpt on two
 * worker threads of a 2-core machine compiled for 60-100% of the wall time of its first 90 steps, which ran at
 * 55-80 ms, then 35-40 ms once the compiler went quiet. Warm-up steps are steps of a throwaway executor (the run
 * proper starts from its seed as if there had been none, so its results do not change), timed like the run's (a
 * step of several devices takes as long as its slowest, and counts the compilation of the JVM that compiled
 * most). They stop once, over the last {@link #WINDOW} steps, the JIT compiled for at most {@link #QUIET_JIT} of
 * their wall time and the steps no longer get faster (the median of the last window is at least
 * {@code 1 -} {@link #TOLERANCE} of the median of the window before); or after {@link #MOST_STEPS} steps or
 * {@link #MOST_SECONDS}, bounds for a machine too noisy to settle.
 */
public final class WarmUp {
    /** Steps per window of the rule. */
    static final int WINDOW = 5;
    /** How much faster the last window may be than the one before and still count as steady. */
    static final double TOLERANCE = 0.05;
    /** The share of the last window's wall time the JIT may still compile for. */
    static final double QUIET_JIT = 0.10;
    /** The most warm-up steps. */
    static final int MOST_STEPS = 300;
    /** The most warm-up wall time, seconds. */
    static final double MOST_SECONDS = 60;

    private WarmUp() {
    }

    /**
     * One warm-up step.
     *
     * @param seconds        its wall time (several devices: the slowest's)
     * @param compileSeconds the JIT compilation time its JVM spent during it (several JVMs: the most), 0 where the
     *                       JVM does not report compilation time
     */
    public record Step(double seconds, double compileSeconds) {
        public Step {
            if (!(seconds >= 0) || !(compileSeconds >= 0)) {
                throw new IllegalArgumentException("warm-up step of " + seconds + " s compiling " + compileSeconds + " s");
            }
        }

        /** This step with another rank's: the slower wall time and the longer compilation. */
        public Step max(Step other) {
            return new Step(Math.max(seconds, other.seconds), Math.max(compileSeconds, other.compileSeconds));
        }

        /** {@code "seconds compileSeconds"}, what a worker process tells its coordinator. */
        public String encode() {
            return seconds + " " + compileSeconds;
        }

        /** The inverse of {@link #encode}. */
        public static Step decode(String text) {
            String[] f = text.trim().split(" ");
            return new Step(Double.parseDouble(f[0]), Double.parseDouble(f[1]));
        }
    }

    /**
     * Runs warm-up steps on {@code warm}, a throwaway executor, with the data of the run's first steps, until
     * {@code done} says so after a step (given every step so far), and returns them.
     */
    public static List<Step> run(Executor warm, SyntheticTask task, int globalBatch, Predicate<List<Step>> done) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        List<Step> steps = new ArrayList<>();
        do {
            long before = timed ? jit.getTotalCompilationTime() : 0;
            double seconds = warm.step(task.batch(steps.size(), globalBatch)).seconds();
            steps.add(new Step(seconds, timed ? (jit.getTotalCompilationTime() - before) / 1e3 : 0));
        } while (!done.test(List.copyOf(steps)));
        return steps;
    }

    /** Whether warm-up steps {@code steps} (in order) are enough. */
    public static boolean done(List<Step> steps) {
        int n = steps.size();
        if (n >= MOST_STEPS || steps.stream().mapToDouble(Step::seconds).sum() >= MOST_SECONDS) {
            return true;
        }
        if (n < 2 * WINDOW) {
            return false;
        }
        List<Step> last = steps.subList(n - WINDOW, n);
        double wall = last.stream().mapToDouble(Step::seconds).sum();
        double compiling = last.stream().mapToDouble(Step::compileSeconds).sum();
        return compiling <= QUIET_JIT * wall && median(last) >= (1 - TOLERANCE) * median(steps.subList(n - 2 * WINDOW, n - WINDOW));
    }

    private static double median(List<Step> steps) {
        return SteadyStep.median(steps.stream().mapToDouble(Step::seconds).toArray());
    }
}
