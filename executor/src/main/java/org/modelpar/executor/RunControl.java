package org.modelpar.executor;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.modelpar.executor.transport.Waits;

/**
 * Shared by the devices of one run: the first failure stops everyone. Every blocking wait polls the
 * failure flag every {@link #POLL_MILLIS} ms, so the others stop within that bound after a failure; a
 * wait longer than the timeout is itself a failure.
 */
final class RunControl implements Waits {
    static final long POLL_MILLIS = 10;
    private final AtomicReference<ExecutionException> failure = new AtomicReference<>();
    private final long timeoutNanos;

    RunControl(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    void fail(ExecutionException e) {
        failure.compareAndSet(null, e);
    }

    ExecutionException failure() {
        return failure.get();
    }

    /** Throws {@link Aborted} when another device has failed. */
    void check() {
        if (failure.get() != null) {
            throw new Aborted();
        }
    }

    /**
     * Waits on {@code monitor} (whose lock the caller holds) until {@code done} holds.
     *
     * @param what described in the timeout error
     */
    @Override
    public void await(Object monitor, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!done.getAsBoolean()) {
            check();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeoutNanos / 1_000_000_000.0 + " s waiting for " + what);
            }
            monitor.wait(POLL_MILLIS);
        }
    }

    /** Thrown in a device that stops because another one failed. */
    static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("aborted: another device failed", null, false, false);
        }
    }
}
