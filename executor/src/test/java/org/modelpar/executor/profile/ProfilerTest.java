package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Offset.offset;

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
        // the process link is measured through gRPC on loopback and read back as the node's
        assertThat(c.processLinks()).containsOnlyKeys("local");
        assertThat(c.processLinks().get("local").latencySeconds()).isPositive();
        assertThat(r.processTransfers()).extracting(ProfileResult.Transfer::bytes)
                .containsExactlyElementsOf(r.transfers().stream().map(ProfileResult.Transfer::bytes).toList());
        assertThat(r.kernels()).extracting(ProfileResult.KernelTime::kind).contains("linear", "layernorm", "gelu");
        assertThat(p.kernelLaunchSeconds()).isEqualTo(r.kernelLaunchSeconds()).isPositive().isLessThan(0.01);
        assertThat(p.hostCallSeconds()).isPositive().isLessThan(0.01);
        assertThat(p.hostCopyBytesPerSecond()).isPositive();
        assertThat(c.computeCapacity()).containsOnlyKeys("local");
        // both optimizers are measured; which is faster is a timing, not a property (it flips on a loaded host)
        assertThat(p.optimizerSecondsPerParameter()).containsOnlyKeys("adam", "sgd");
        assertThat(p.optimizerSecondsPerParameter().values()).allSatisfy(s -> assertThat(s).isPositive());
        assertThat(new Profiler(Ticker.system(), 1, 1).profile(1).cluster().computeCapacity()).isEmpty();
    }

    @Test
    void hostCapacityIsTheAggregateThroughputInWorkers() {
        assertThat(HostSharing.capacity(2, 1.0, 1.25)).isEqualTo(1.6);
        assertThat(HostSharing.capacity(4, 1.0, 2.0)).isEqualTo(2.0);
        // faster than perfect scaling or slower than one worker: measurement noise, clamped to [1, workers]
        assertThat(HostSharing.capacity(2, 1.0, 0.8)).isEqualTo(2.0);
        assertThat(HostSharing.capacity(2, 1.0, 3.0)).isEqualTo(1.0);
        // threads' pass ends (ms): the aggregate rate while all ran, not the wall time to the last one's end
        long ms = 1_000_000;
        assertThat(HostSharing.allSeconds(new long[][] {{0, 10 * ms, 20 * ms}, {0, 15 * ms, 30 * ms}}))
                .as("4 passes at 3 1/3 passes per 20 ms").isCloseTo(0.024, within(1e-12));
        assertThat(HostSharing.allSeconds(new long[][] {{0, 10 * ms, 20 * ms}, {5 * ms, 15 * ms, 25 * ms}}))
                .as("staggered starts: the window from the last start").isCloseTo(0.020, within(1e-12));
        assertThat(HostSharing.allSeconds(new long[][] {{0, 10 * ms}, {20 * ms, 30 * ms}})).isCloseTo(0.030, within(1e-12));
        assertThat(HostSharing.allSeconds(new long[][] {{0, 10 * ms, 25 * ms}})).isCloseTo(0.025, within(1e-12));
        // rounds: the ratio of the medians (2 x 1.0 / 1.25), not the median of the rounds' ratios (1.25, 1.67, 2)
        assertThat(HostSharing.capacity(2, List.of(new HostSharing.Round(1.0, 1.6), new HostSharing.Round(1.0, 1.2),
                new HostSharing.Round(2.0, 1.25)))).isCloseTo(1.6, within(1e-12));
    }

    @Test
    void hostCapacityIsMeasuredWithOneThreadPerWorkerAndAtMostOnePerCore() {
        assertThat(HostSharing.threads(4, 2)).isEqualTo(2);
        assertThat(HostSharing.threads(3, 8)).isEqualTo(3);
        assertThat(HostSharing.threads(2, 2)).isEqualTo(2);
        assertThat(HostSharing.threads(1, 4)).isEqualTo(1);
    }

    @Test
    void ratesAreNetOfOneLaunchAndNeverInfinite() {
        List<ProfileResult.Sample> net = Profiler.netOfLaunch(List.of(new ProfileResult.Sample(1e6, 30e-6),
                new ProfileResult.Sample(1e9, 10.01e-3), new ProfileResult.Sample(8, 5e-6)), 10e-6);
        assertThat(net).extracting(ProfileResult.Sample::size).containsExactly(1e6, 1e9, 8.0);
        assertThat(net.get(0).seconds()).isCloseTo(20e-6, offset(1e-15));
        assertThat(net.get(1).seconds()).isCloseTo(10e-3, offset(1e-15));
        assertThat(net.get(2).seconds()).isCloseTo(0.5e-6, offset(1e-15));
        assertThat(Profiler.peak(net)).isCloseTo(1e11, offset(1e-3));
        assertThat(Profiler.curve(net, 1e11).at(1e6)).isCloseTo(0.5, offset(1e-9));
    }

    /** 100, 200, 300, 500, 900 ns: the interquartile mean sets 100 and 900 aside, (200 + 300 + 500) / 3. */
    @Test
    void timingTakesTheTypicalValueAfterWarmUpWithTheInjectedClock() {
        AtomicLong now = new AtomicLong();
        long[] durations = {500, 100, 300, 200, 900};
        int[] call = {0};
        Ticker fake = () -> now.get();
        Timing t = new Timing(fake, 2, 5);
        double typical = t.typicalSeconds(() -> {
            int i = call[0]++;
            now.addAndGet(i < 2 ? 1_000_000_000L : durations[i - 2]);
        });
        assertThat(call[0]).isEqualTo(7);
        assertThat(typical).isCloseTo(1000e-9 / 3, offset(1e-18));
    }

    /**
     * 100, 200, 300, 500, 900 ns: the quartiles are the medians of 100, 200 and of 500, 900, so the spread is 700 - 150;
     * the mean 2000 / 5.
     */
    @Test
    void timingRecordsTheInterquartileRangeAndTheMean() {
        AtomicLong now = new AtomicLong();
        long[] durations = {500, 100, 300, 200, 900};
        int[] call = {0};
        Timing t = new Timing(now::get, 0, 5);
        Timing.Measured m = t.measure(() -> now.addAndGet(durations[call[0]++]));
        assertThat(m.typicalSeconds()).isCloseTo(1000e-9 / 3, offset(1e-18));
        assertThat(m.interquartileSeconds()).isCloseTo(550e-9, offset(1e-18));
        assertThat(m.meanSeconds()).isCloseTo(400e-9, offset(1e-18));
    }

    @Test
    void linkFromTransfers() {
        var link = Profiler.link(List.of(new ProfileResult.Sample(64, 1e-5), new ProfileResult.Sample(1e6, 1.01e-3)));
        assertThat(link.latencySeconds()).isEqualTo(1e-5);
        assertThat(link.bandwidthBytesPerSecond()).isCloseTo(1e9, offset(1e3));
    }
}
