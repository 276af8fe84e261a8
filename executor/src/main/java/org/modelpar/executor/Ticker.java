package org.modelpar.executor;

/** A source of nanosecond time, injected so tests can fake the clock (as Caffeine's {@code Ticker}). */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds since an arbitrary origin, monotonic. */
    long nanos();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
