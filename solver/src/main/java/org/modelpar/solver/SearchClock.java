package org.modelpar.solver;

/**
 * The time source of the planner ({@link Planner#withClock}): read for the search's duration in {@link
 * PlanResult#searchSeconds} and, only when the request has a time limit ({@link PlanRequest#timeLimit}), for its
 * deadline. Without a limit no reading changes the plan, so tests pass a fake clock to show it.
 */
@FunctionalInterface
public interface SearchClock {
    /** Nanoseconds from an arbitrary origin, never decreasing. */
    long nanos();

    /** The JVM's monotonic clock ({@link System#nanoTime}). */
    static SearchClock system() {
        return System::nanoTime;
    }
}
