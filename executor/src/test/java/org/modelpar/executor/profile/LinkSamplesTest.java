package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;
import org.modelpar.profiles.LinkProfile;

/** The link measured during a run: latency from the 64 B message, bandwidth from the 1 MiB one net of it. */
class LinkSamplesTest {
    @Test
    void linkFromTheTwoSizes() {
        LinkProfile l = LinkSamples.link(1e-4, 1e-4 + (1 << 20) / 2e9);
        assertThat(l.latencySeconds()).isEqualTo(1e-4);
        assertThat(l.bandwidthBytesPerSecond()).isCloseTo(2e9, offset(1e-3));
    }

    @Test
    void noLinkBeforeTheFirstSampleThenTheMeasuredOneOverThreads() {
        LinkSamples samples = new LinkSamples(false, 1);
        assertThat(samples.link()).isEmpty();
        samples.sample();
        assertThat(samples.link()).hasValueSatisfying(l -> {
            assertThat(l.latencySeconds()).isPositive();
            assertThat(l.bandwidthBytesPerSecond()).isPositive();
        });
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("modelpar-link-busy"));
    }

    @Test
    void refusesNegativeBusyThreads() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LinkSamples(false, -1)).hasMessageContaining("-1");
    }
}
