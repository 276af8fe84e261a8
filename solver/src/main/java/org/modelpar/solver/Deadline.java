package org.modelpar.solver;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When one plan's search must stop: never without a time limit (the clock is then not read, so the plan does not
 * depend on machine speed), else once {@code limit} has passed on the planner's {@link SearchClock} since the
 * search started. The steps of the search that a fired deadline skips are listed in the explanation ({@link #line}).
 */
final class Deadline {
    private final SearchClock clock;
    private final Optional<Duration> limit;
    private final long endNanos;

    private Deadline(SearchClock clock, Optional<Duration> limit, long endNanos) {
        this.clock = clock;
        this.limit = limit;
        this.endNanos = endNanos;
    }

    /** A deadline {@code limit} after now on {@code clock}, or none when {@code limit} is empty. */
    static Deadline start(SearchClock clock, Optional<Duration> limit) {
        long end = limit.map(l -> saturatedAdd(clock.nanos(), nanos(l))).orElse(Long.MAX_VALUE);
        return new Deadline(clock, limit, end);
    }

    /** Whether the limit has passed; always false (and the clock not read) without a limit. */
    boolean expired() {
        return limit.isPresent() && clock.nanos() >= endNanos;
    }

    /**
     * The explanation's line for what a fired deadline skipped, e.g. {@code time limit 2 s fired: not searched:
     * 6,000 of 9,170 configurations, interleaved 1F1B}; empty when nothing was skipped.
     */
    static Optional<String> line(Optional<Duration> limit, List<String> skipped) {
        if (skipped.isEmpty() || limit.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.format("time limit %s fired: not searched: %s; the plan depends on machine speed"
                + " (without --time-limit the search is bounded by counts alone)", seconds(limit.get()), String.join(", ", skipped)));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format("%.3f s", d.toMillis() / 1000.0);
    }

    private static long nanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
