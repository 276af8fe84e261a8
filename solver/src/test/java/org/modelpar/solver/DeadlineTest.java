package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    /** A clock at {@code now[0]}, counting its readings in {@code reads[0]}. */
    private static SearchClock clock(long[] now, int[] reads) {
        return () -> {
            reads[0]++;
            return now[0];
        };
    }

    @Test
    void withoutALimitTheClockIsNeverRead() {
        int[] reads = {0};
        Deadline d = Deadline.start(clock(new long[] {5}, reads), Optional.empty());
        assertThat(d.expired()).isFalse();
        assertThat(reads[0]).isZero();
    }

    @Test
    void expiresOnceTheLimitHasPassedOnItsClock() {
        long[] now = {1_000};
        int[] reads = {0};
        Deadline d = Deadline.start(clock(now, reads), Optional.of(Duration.ofNanos(500)));
        now[0] = 1_499;
        assertThat(d.expired()).isFalse();
        now[0] = 1_500;
        assertThat(d.expired()).isTrue();
        assertThat(reads[0]).isEqualTo(3);
    }

    @Test
    void aHugeLimitNeverOverflows() {
        long[] now = {Long.MAX_VALUE - 10};
        Deadline d = Deadline.start(clock(now, new int[1]), Optional.of(Duration.ofSeconds(Long.MAX_VALUE)));
        assertThat(d.expired()).isFalse();
    }

    @Test
    void theLineNamesTheLimitAndWhatWasSkipped() {
        assertThat(Deadline.line(Optional.of(Duration.ofMillis(1500)), List.of("a", "b"))).contains("time limit 1.500 s fired:"
                + " not searched: a, b; the plan depends on machine speed (without --time-limit the search is bounded by"
                + " counts alone)");
        assertThat(Deadline.line(Optional.of(Duration.ofSeconds(2)), List.of())).isEmpty();
        assertThat(Deadline.line(Optional.empty(), List.of("a"))).isEmpty();
    }
}
