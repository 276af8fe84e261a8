package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.InProcessTransport;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.transport.Transport;

class TransportProbeTest {
    /** A clock that advances 1 ms per reading: every timed round trip reads 1 ms, so 0.5 ms one way and no spread. */
    @Test
    void aSampleIsHalfTheMedianRoundTripOfEachSize() {
        AtomicLong now = new AtomicLong();
        Ticker ticker = () -> now.addAndGet(1_000_000);
        try (Transport t = new InProcessTransport(Map.of(TransportProbe.A, 2, TransportProbe.B, 2))) {
            List<ProfileResult.Transfer> samples = TransportProbe.oneWay(t, t, new Timing(ticker, 2, 5), new long[] {64, 4096});
            assertThat(samples).containsExactly(new ProfileResult.Transfer(64, 0.5e-3, 0), new ProfileResult.Transfer(4096, 0.5e-3, 0));
        }
    }

    @Test
    void aLargerMessageTakesLongerThroughTheRealTransport() {
        try (Transport t = new InProcessTransport(Map.of(TransportProbe.A, 2, TransportProbe.B, 2))) {
            List<ProfileResult.Transfer> samples = TransportProbe.oneWay(t, t, new Timing(Ticker.system(), 3, 9),
                    new long[] {64, 1 << 22});
            assertThat(samples.get(0).seconds()).isPositive();
            assertThat(samples.get(0).spreadSeconds()).isNotNegative();
            assertThat(samples.get(1).seconds()).isGreaterThan(samples.get(0).seconds());
        }
    }
}
