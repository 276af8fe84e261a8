package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one rule for cutting a stage's gradients into buckets: a group starts a new bucket once the last holds 256 KiB. */
class GradientBucketsTest {
    private static final long KIB = 1024;

    @Test
    void aGroupStartsANewBucketOnceTheCurrentOneHoldsTheBucketSize() {
        // 100 + 200 = 300 KiB >= 256: the 50 KiB group starts bucket 1; 50 + 300 >= 256: the 10 KiB group starts bucket 2
        long[] groups = {100 * KIB, 200 * KIB, 50 * KIB, 300 * KIB, 10 * KIB};
        assertThat(GradientBuckets.cut(groups)).containsExactly(0, 0, 1, 1, 2);
        assertThat(GradientBuckets.count(groups)).isEqualTo(3);
    }

    @Test
    void aGroupIsNeverSplitAndExactlyTheBucketSizeCloses() {
        assertThat(GradientBuckets.cut(new long[] {1000 * KIB, 256 * KIB, 1})).containsExactly(0, 1, 2);
        assertThat(GradientBuckets.cut(new long[] {255 * KIB, 1 * KIB - 1, 1})).containsExactly(0, 0, 0);
    }

    @Test
    void emptyGroupsJoinTheCurrentBucket() {
        assertThat(GradientBuckets.cut(new long[] {0, 300 * KIB, 0, 1})).containsExactly(0, 0, 0, 1);
        assertThat(GradientBuckets.count(new long[] {0, 0})).isZero();
        assertThat(GradientBuckets.count(new long[] {})).isZero();
    }

    @Test
    void refusesNegativeSizes() {
        assertThatThrownBy(() -> GradientBuckets.cut(new long[] {1, -2})).hasMessageContaining("group 1").hasMessageContaining("-2");
    }
}
