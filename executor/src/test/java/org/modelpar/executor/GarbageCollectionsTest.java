package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GarbageCollectionsTest {
    @Test
    void countsThisJvmsCollections() {
        long before = GarbageCollections.soFar();
        byte[][] kept = new byte[4][];
        for (int i = 0; i < 16_384 && GarbageCollections.soFar() == before; i++) {
            kept[i % kept.length] = new byte[1 << 20]; // garbage until the young generation fills
        }
        assertThat(GarbageCollections.soFar()).isGreaterThan(before);
        assertThat(kept[0]).isNotNull();
    }
}
