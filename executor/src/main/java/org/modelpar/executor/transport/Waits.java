package org.modelpar.executor.transport;

import java.util.function.BooleanSupplier;

/**
 * How a blocking transport call waits: the run's failure flag and timeout decide when to give up. The
 * caller holds {@code monitor}'s lock; the implementation waits on it in short slices.
 */
@FunctionalInterface
public interface Waits {
    /**
     * Waits on {@code monitor} until {@code done} holds.
     *
     * @param what described in the timeout error
     * @throws IllegalStateException when the wait times out
     */
    void await(Object monitor, BooleanSupplier done, String what) throws InterruptedException;

    /** Waits in 10 ms slices and fails after {@code timeoutNanos} (no failure flag to poll). */
    static Waits timeout(long timeoutNanos) {
        return (monitor, done, what) -> {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out after " + timeoutNanos / 1e9 + " s waiting for " + what);
                }
                monitor.wait(10);
            }
        };
    }
}
