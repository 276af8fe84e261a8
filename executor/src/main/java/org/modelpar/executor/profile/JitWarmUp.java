package org.modelpar.executor.profile;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Runs a workload untimed until the JIT compiler has gone quiet: on a 2-core machine the compiler's
 * threads take a core from a two-thread measurement but not from a one-thread one, so a host capacity
 * measured while ND4J's Java paths still compile read 1.3 workers' worth where a warm process reads 1.8-1.9.
 * After {@code minRounds}, a round during which the JVM's total compilation time did not grow ends the
 * warm-up; so does {@code maxRounds} (the JVM may not report compilation time, or keep compiling unrelated
 * code).
 */
final class JitWarmUp {
    private JitWarmUp() {
    }

    /**
     * Runs {@code round} {@code minRounds} times (at least once), then until a round compiles nothing, at most
     * {@code maxRounds} times in all.
     */
    static void run(Runnable round, int minRounds, int maxRounds) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        int rounds = 0;
        boolean compiled;
        do {
            long before = measurable ? jit.getTotalCompilationTime() : 0;
            round.run();
            rounds++;
            compiled = measurable && jit.getTotalCompilationTime() != before;
        } while (rounds < maxRounds && (rounds < minRounds || compiled));
    }
}
