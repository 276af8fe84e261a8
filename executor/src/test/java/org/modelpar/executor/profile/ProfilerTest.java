package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.Ticker;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.io.ClusterJson;

class ProfilerTest {
    @Test
    void writesAClusterThatReadsBackWithMeasuredCurves() {
        ProfileResult r = new Profiler(Ticker.system(), 1, 1).profile(3);
        ClusterSpec c = ClusterJson.parse(ClusterJson.write(r.cluster()), "profile");
        assertThat(c.devices()).extracting(d -> d.id()).containsExactly("cpu0", "cpu1", "cpu2");
        DeviceProfile p = c.devices().get(0).profile();
        assertThat(p.name()).isEqualTo(Profiler.DEVICE_TYPE);
        assertThat(c.deviceTypes()).containsKey("local-cpu");
        assertThat(p.peakFlopsPerSecond().get("fp32")).isPositive();
        assertThat(p.matmulEfficiency().points()).hasSize(r.matmul().size());
        assertThat(p.matmulEfficiency().points()).anySatisfy(pt -> assertThat(pt.efficiency()).isEqualTo(1.0));
        assertThat(c.intraNode().latencySeconds()).isPositive();
        assertThat(r.kernels()).extracting(ProfileResult.KernelTime::kind).contains("linear", "layernorm", "gelu");
        assertThat(c.computeCapacity()).containsOnlyKeys("local");
        assertThat(c.computeCapacity().get("local")).isBetween(1.0, 3.0);
        assertThat(new Profiler(Ticker.system(), 1, 1).profile(1).cluster().computeCapacity()).isEmpty();
    }

    @Test
    void timingTakesTheMedianAfterWarmUpWithTheInjectedClock() {
        AtomicLong now = new AtomicLong();
        long[] durations = {500, 100, 300, 200, 900};
        int[] call = {0};
        Ticker fake = () -> now.get();
        Timing t = new Timing(fake, 2, 5);
        double median = t.medianSeconds(() -> {
            int i = call[0]++;
            now.addAndGet(i < 2 ? 1_000_000_000L : durations[i - 2]);
        });
        assertThat(call[0]).isEqualTo(7);
        assertThat(median).isEqualTo(300e-9);
    }

    @Test
    void linkFromTransfers() {
        var link = Profiler.link(List.of(new ProfileResult.Sample(64, 1e-5), new ProfileResult.Sample(1e6, 1.01e-3)));
        assertThat(link.latencySeconds()).isEqualTo(1e-5);
        assertThat(link.bandwidthBytesPerSecond()).isCloseTo(1e9, org.assertj.core.data.Offset.offset(1e3));
    }
}
