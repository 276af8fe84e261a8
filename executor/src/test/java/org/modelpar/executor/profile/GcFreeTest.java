package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GcFreeTest {
    @Test
    void aMeasurementACollectionRanThroughIsTakenAgain() {
        AtomicLong collections = new AtomicLong();
        AtomicInteger tries = new AtomicInteger();
        GcFree free = new GcFree(collections::get, 4);
        int result = free.measure(() -> {
            int t = tries.incrementAndGet();
            if (t <= 2) {
                collections.incrementAndGet(); // the first two tries see a collection
            }
            return t;
        });
        assertThat(result).isEqualTo(3);
        assertThat(tries).hasValue(3);
    }

    @Test
    void aMeasurementWithoutCollectionIsTakenOnce() {
        AtomicInteger tries = new AtomicInteger();
        assertThat(new GcFree(() -> 7, 4).measure(tries::incrementAndGet)).isEqualTo(1);
    }

    @Test
    void whenEveryTrySeesACollectionTheLastIsKept() {
        AtomicLong collections = new AtomicLong();
        AtomicInteger tries = new AtomicInteger();
        int result = new GcFree(collections::get, 3).measure(() -> {
            collections.incrementAndGet();
            return tries.incrementAndGet();
        });
        assertThat(result).isEqualTo(3);
    }

    @Test
    void needsATry() {
        assertThatThrownBy(() -> new GcFree(() -> 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }
}
