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
 * most). A window is the last steps that ran at least {@link #WINDOW_SECONDS} and at least {@link #WINDOW} steps:
 * C2 compiles a method for tens of milliseconds in its own threads and reports it when done, so a window of a few
 * short steps often holds no finished compilation while the compiler is busy (the mlp's 3-stage pipeline on three
 * threads of the 2-core VM, steps of 4-8 ms, stopped after 46-96 steps by five-step windows while C2 went on
 * compiling hundreds of methods every hundred steps, and its steps fell from 8 to 3.6 ms over the next thousand).
 * They stop once, over the last window, the JIT compiled for at most {@link #QUIET_JIT} of its wall time and the
 * steps no longer get faster (the median of the last window is at least {@code 1 -} {@link #TOLERANCE} of the
 * median of the window before); or after {@link #MOST_STEPS} steps or {@link #MOST_SECONDS}, bounds for a machine
 * too noisy to settle.
 */
public final class WarmUp {
    /** The fewest steps of a window of the rule. */
    static final int WINDOW = 5;
    /** The least wall time of a window of the rule, seconds. */
    static final double WINDOW_SECONDS = 1;
    /** How much faster the last window may be than the one before and still count as steady. */
    static final double TOLERANCE = 0.05;
    /** The share of the last window's wall time the JIT may still compile for. */
    static final double QUIET_JIT = 0.10;
    /** The most warm-up steps. */
    static final int MOST_STEPS = 20_000;
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
        int lastStart = windowStart(steps, n);
        int previousStart = windowStart(steps, lastStart);
        if (previousStart < 0) {
            return false;
        }
        List<Step> last = steps.subList(lastStart, n);
        double wall = last.stream().mapToDouble(Step::seconds).sum();
        double compiling = last.stream().mapToDouble(Step::compileSeconds).sum();
        return compiling <= QUIET_JIT * wall && typical(last) >= (1 - TOLERANCE) * typical(steps.subList(previousStart, lastStart));
    }

    /** The first step of the window that ends before step {@code end}, or -1 where the steps before it are too few or too short. */
    private static int windowStart(List<Step> steps, int end) {
        double wall = 0;
        for (int i = end - 1; i >= 0; i--) {
            wall += steps.get(i).seconds();
            if (end - i >= WINDOW && wall >= WINDOW_SECONDS) {
                return i;
            }
        }
        return -1;
    }

    private static double typical(List<Step> steps) {
        return SteadyStep.typical(steps.stream().mapToDouble(Step::seconds).toArray());
    }
}
