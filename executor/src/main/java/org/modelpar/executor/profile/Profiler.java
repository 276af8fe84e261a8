package org.modelpar.executor.profile;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.InProcessTransport;
import org.modelpar.executor.Threads;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.kernel.LaunchCounts;
import org.modelpar.executor.transport.GrpcTransport;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.LocalCluster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures one CPU worker (one ND4J thread) and the link between two workers through the executor's own transports
 * (worker threads: the in-process mailboxes, the node's intra-node link; worker processes: gRPC on loopback, the
 * node's process link), and builds the cluster
 * spec of {@code devices} such workers on node {@code local}. The kernel launch cost is the time per ND4J
 * op of a kernel made of small ops ({@link KernelProfiler#launchSeconds}). Matrix products and element-wise
 * additions allocate their results in the scratch workspace, as the executor's kernels do; their time net of
 * one launch gives the rates: peak FLOP/s and bandwidth are the best, the efficiency curves each size's rate over that peak.
 * Every number is the median of several timed repetitions after warm-up, and the whole sweep runs once
 * untimed first (the first calls of a fresh JVM are several times slower).
 */
public final class Profiler {
    /** Device type name of a profiled worker. */
    public static final String DEVICE_TYPE = "local-cpu";
    private static final int[] MATMUL_SIZES = {16, 32, 64, 128, 256, 512};
    private static final long[] ELEMENTWISE_LENGTHS = {1 << 8, 1 << 12, 1 << 16, 1 << 20, 1 << 22};
    private static final long[] TRANSFER_BYTES = {64, 1 << 12, 1 << 16, 1 << 20, 1 << 23};
    private static final String LOOPBACK = "127.0.0.1";
    private static final int HOST_ROUNDS = 5;
    /**
     * Warm-ups and repetitions of the launch measurement at least: it takes microseconds, and its calls need
     * a thousand runs before the JIT has compiled them (hundreds leave them 2-3x slower).
     */
    private static final int LAUNCH_WARMUPS = 1000;
    private static final int LAUNCH_REPETITIONS = 201;
    private final Timing timing;
    private final Timing launchTiming;

    public Profiler(Ticker ticker, int warmups, int repetitions) {
        this.timing = new Timing(ticker, warmups, repetitions);
        this.launchTiming = new Timing(ticker, Math.max(warmups, LAUNCH_WARMUPS), Math.max(repetitions, LAUNCH_REPETITIONS));
    }

    /** Profiles this machine for {@code devices} workers. */
    public ProfileResult profile(int devices) {
        if (devices < 1) {
            throw new IllegalArgumentException("--devices must be at least 1, got " + devices);
        }
        Threads.configure(1);
        matmul(); // untimed: a fresh JVM's first calls are several times slower
        elementwise();
        double launch = KernelProfiler.launchSeconds(launchTiming);
        double hostCall = HostCopies.callSeconds(launchTiming);
        double hostCopy = HostCopies.bytesPerSecond(timing, hostCall);
        List<ProfileResult.Sample> matmul = matmul();
        List<ProfileResult.Sample> elementwise = elementwise();
        List<ProfileResult.Transfer> transfers = threadTransfers();
        List<ProfileResult.Transfer> processTransfers = processTransfers();
        List<ProfileResult.KernelTime> kernels = KernelProfiler.profile(timing);
        Map<String, Double> optimizers = OptimizerProfiler.secondsPerParameter(timing);
        List<ProfileResult.Sample> matmulWork = netOfLaunch(matmul, launch);
        List<ProfileResult.Sample> elementwiseWork = netOfLaunch(elementwise, launch);
        double peakFlops = peak(matmulWork);
        double peakBandwidth = peak(elementwiseWork);
        DeviceProfile worker = new DeviceProfile(DEVICE_TYPE, Map.of("fp32", peakFlops), memoryPerWorker(devices),
                peakBandwidth, curve(matmulWork, peakFlops), curve(elementwiseWork, peakBandwidth), launch, hostCall,
                hostCopy, optimizers, LaunchCounts.asData(), "measured by modelpar profile (ND4J " + Nd4j.getBackend().getClass().getSimpleName()
                        + ", one thread per worker, median of timed repetitions; rates net of the kernel launch)");
        List<ClusterDevice> list = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            list.add(new ClusterDevice("cpu" + i, LocalCluster.NODE, worker));
        }
        LinkProfile link = linkOf(transfers);
        Map<String, Double> capacity = devices > 1 ? Map.of(LocalCluster.NODE, HostSharing.capacity(devices, HOST_ROUNDS)) : Map.of();
        ClusterSpec cluster = new ClusterSpec("local", list, link, link, Map.of(), capacity, Map.of(),
                Map.of(LocalCluster.NODE, linkOf(processTransfers)));
        return new ProfileResult(cluster, matmul, elementwise, transfers, processTransfers, kernels, launch);
    }

    private List<ProfileResult.Sample> matmul() {
        List<ProfileResult.Sample> out = new ArrayList<>();
        for (int n : MATMUL_SIZES) {
            INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
            double s = timing.typicalSeconds(KernelProfiler.inScratch(() -> a.mmul(b)));
            out.add(new ProfileResult.Sample(2.0 * n * n * n, s));
        }
        return out;
    }

    private List<ProfileResult.Sample> elementwise() {
        List<ProfileResult.Sample> out = new ArrayList<>();
        for (long n : ELEMENTWISE_LENGTHS) {
            INDArray a = Nd4j.rand(DataType.FLOAT, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n);
            double s = timing.typicalSeconds(KernelProfiler.inScratch(() -> a.add(b)));
            out.add(new ProfileResult.Sample(3.0 * 4 * n, s));
        }
        return out;
    }

    /** One-way message times between two worker threads through the executor's in-process transport. */
    private List<ProfileResult.Transfer> threadTransfers() {
        try (Transport t = new InProcessTransport(Map.of(TransportProbe.A, 2, TransportProbe.B, 2))) {
            return TransportProbe.oneWay(t, t, timing, TRANSFER_BYTES);
        }
    }

    /** One-way message times between two worker processes' gRPC transports on loopback (both in this process). */
    private List<ProfileResult.Transfer> processTransfers() {
        return overLoopback((a, b) -> TransportProbe.oneWay(a, b, timing, TRANSFER_BYTES));
    }

    /**
     * Round trips of a message of each of {@code sizes} between two worker threads (the in-process transport) or two
     * worker processes (gRPC transports on loopback, both in this process).
     */
    static List<Timing.Measured> roundTrips(boolean processes, Timing timing, long[] sizes) {
        if (processes) {
            return overLoopback((a, b) -> TransportProbe.roundTrips(a, b, timing, sizes));
        }
        try (Transport t = new InProcessTransport(Map.of(TransportProbe.A, 2, TransportProbe.B, 2))) {
            return TransportProbe.roundTrips(t, t, timing, sizes);
        }
    }

    /** Runs {@code probe} between two connected gRPC transports on loopback, serving the probe's two devices. */
    private static <T> T overLoopback(java.util.function.BiFunction<Transport, Transport, T> probe) {
        Waits waits = Waits.timeout(TransportProbe.WAIT_NANOS);
        try (GrpcTransport a = new GrpcTransport(LOOPBACK, 0, Map.of(TransportProbe.A, 2), waits);
             GrpcTransport b = new GrpcTransport(LOOPBACK, 0, Map.of(TransportProbe.B, 2), waits)) {
            Map<String, String> addresses = Map.of(TransportProbe.A, LOOPBACK + ":" + a.port(),
                    TransportProbe.B, LOOPBACK + ":" + b.port());
            a.connect(addresses);
            b.connect(addresses);
            return probe.apply(a, b);
        }
    }

    private static LinkProfile linkOf(List<ProfileResult.Transfer> transfers) {
        return link(transfers.stream().map(ProfileResult.Transfer::sample).toList());
    }

    /** Latency: the smallest message's time; bandwidth: from the largest, net of latency. */
    static LinkProfile link(List<ProfileResult.Sample> transfers) {
        double latency = transfers.get(0).seconds();
        ProfileResult.Sample big = transfers.get(transfers.size() - 1);
        double net = Math.max(big.seconds() - latency, big.seconds() * 0.1);
        return new LinkProfile(big.size() / net, latency);
    }

    /**
     * The samples' times less one launch each; a time within a launch keeps a tenth of itself (the work
     * was too small to separate from the launch), so that every rate stays finite.
     */
    static List<ProfileResult.Sample> netOfLaunch(List<ProfileResult.Sample> samples, double launchSeconds) {
        return samples.stream().map(s -> new ProfileResult.Sample(s.size(),
                Math.max(s.seconds() - launchSeconds, s.seconds() * 0.1))).toList();
    }

    /** The best rate (size per second) of the samples. */
    static double peak(List<ProfileResult.Sample> samples) {
        return samples.stream().mapToDouble(s -> s.size() / s.seconds()).max().orElseThrow();
    }

    static EfficiencyCurve curve(List<ProfileResult.Sample> samples, double peak) {
        List<EfficiencyCurve.Point> points = new ArrayList<>();
        for (ProfileResult.Sample s : samples) {
            points.add(new EfficiencyCurve.Point(s.size(), Math.min(1.0, s.size() / s.seconds() / peak)));
        }
        return new EfficiencyCurve(points);
    }

    /** Physical memory shared evenly by the workers. */
    private static long memoryPerWorker(int devices) {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return Math.max(1, total / devices);
    }
}
