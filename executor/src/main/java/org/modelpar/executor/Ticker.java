package org.modelpar.executor;

/** A source of nanosecond time, injected so tests can fake the clock (as Caffeine's {@code Ticker}). */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds since an arbitrary origin, monotonic. */
    long nanos();

    /** The wall clock now, in seconds since the epoch (microsecond resolution): what processes' timelines share. */
    static double epochSeconds() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    /**
     * The system's monotonic clock counted from the epoch (the wall clock read once, at this call): the processes of
     * one host read it within microseconds of each other, those of several hosts as closely as their wall clocks agree.
     */
    static Ticker epochAnchored() {
        java.time.Instant now = java.time.Instant.now();
        long origin = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
        return () -> origin + System.nanoTime();
    }

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
