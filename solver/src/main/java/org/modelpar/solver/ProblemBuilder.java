package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.solver.timefold.Block;
import org.modelpar.solver.timefold.BlockLink;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.SlotLink;
import org.modelpar.solver.timefold.StageSlot;

/**
 * Turns a configuration into the inner placement problem: stage s gets devices
 * {@code [s t d, (s + 1) t d)} in cluster order (interleaved: the p x v stages are model chunks, stage s on
 * device group s mod p); each block's time and memory on each stage come from the
 * simulator ({@link BlockProbe}); memory adds the block's inputs from other blocks to every stashed
 * micro-batch (an upper bound of the stage inputs the simulator keeps) and uses the simulator's peak rule for the
 * stage's place in the pipeline ({@link MemoryModel#maxInFlight}, {@link MemoryModel#maxWeightPending},
 * {@link StageMemory#peakActivationBytes}). Every stage may use all of its device's usable memory; a device holds all
 * v chunks of its group, whose memory summed {@link ChunkBudgets} keeps within it (the simulator checks the plan exactly).
 */
final class ProblemBuilder {
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final BlockSet blocks;
    private final BlockProbe probe;
    private final PlanRequest request;
    private final long[] inputBytesPerSample;
    private final List<String> labels;
    /** The simulator's all-reduce seconds per data-parallel group (device ids) and bytes, for every configuration. */
    private final Map<List<String>, Map<Long, Double>> allReduceSeconds = new HashMap<>();

    ProblemBuilder(ClusterSpec cluster, CostModel cost, BlockSet blocks, BlockProbe probe, PlanRequest request) {
        this.cluster = cluster;
        this.cost = cost;
        this.blocks = blocks;
        this.probe = probe;
        this.request = request;
        this.inputBytesPerSample = blocks.inputBytesPerSample();
        this.labels = blocks.opsOfBlock().stream().map(ProblemBuilder::label).toList();
    }

    /** Devices of stage s (of its device group when interleaved), replica-major. */
    List<ClusterDevice> stageDevices(Configuration c, int s) {
        return replicaDevices(c, c.firstReplica(s), c.replicasOf(s));
    }

    /** Devices of replicas {@code [first, first + count)} (t each), in cluster order. */
    private List<ClusterDevice> replicaDevices(Configuration c, int first, int count) {
        return cluster.devices().subList(first * c.tensor(), (first + count) * c.tensor());
    }

    PlacementProblem build(Configuration c) {
        return build(c, s -> stageDevices(c, s));
    }

    /**
     * The problem of configuration c as if every stage ran on replicas {@code [first, first + count)}: the
     * prices of one stage position for the replicated dynamic program ({@link ReplicaPartitioner}).
     */
    PlacementProblem buildOnReplicas(Configuration c, int first, int count) {
        return build(c, s -> replicaDevices(c, first, count));
    }

    /**
     * Per block, the least compute a stage on {@code count} of c's replicas gives it (as {@link #buildOnReplicas}
     * prices it, {@link Block#computeNanos}), over every run of {@code count} replicas in cluster order: on one
     * device type the same for all of them.
     */
    long[] leastComputeNanos(Configuration c, int count) {
        long[] least = new long[blocks.size()];
        Arrays.fill(least, Long.MAX_VALUE);
        List<List<ClusterDevice>> priced = new ArrayList<>();
        for (int first = 0; first + count <= c.pipeline() * c.data(); first++) {
            List<ClusterDevice> devs = replicaDevices(c, first, count);
            if (priced.stream().anyMatch(p -> samePrice(p, devs))) {
                continue;
            }
            priced.add(devs);
            List<BlockProbe.Result> prices = probe.prices(devs, c, request, c.recompute());
            for (int b = 0; b < least.length; b++) {
                least[b] = Math.min(least[b], computeNanos(prices.get(b)));
            }
        }
        return least;
    }

    private long[] receivedBytes(Configuration c, int replicas, double scale) {
        long[] bytes = new long[inputBytesPerSample.length];
        for (int b = 0; b < bytes.length; b++) {
            bytes[b] = (long) Math.ceil(inputBytesPerSample[b] * (c.microBatchSize() / replicas) * scale / c.tensor());
        }
        return bytes;
    }

    private static long computeNanos(BlockProbe.Result price) {
        return Math.round(price.computeSeconds() * 1e9);
    }

    /**
     * Stage s on the devices {@code groups} gives it; its links go to the device before its group (inbound)
     * and after it (outbound), as the pipeline's neighbour stages sit next to it in cluster order; an
     * interleaved chunk on the first group receives from the last group, one on the last group sends to the first.
     */
    private PlacementProblem build(Configuration c, IntFunction<List<ClusterDevice>> groups) {
        int p = c.stages();
        PlacementPlan skeleton = skeleton(c);
        double scale = request.precision().computeBytes() / 4.0;
        int gradientBytes = StateBytes.of(request.precision(), request.optimizer()).gradients();
        List<List<ClusterDevice>> stageDevices = IntStream.range(0, p).mapToObj(groups).toList();
        List<StageSlot> stages = new ArrayList<>();
        int smallest = Integer.MAX_VALUE;
        for (int s = 0; s < p; s++) {
            List<ClusterDevice> devs = stageDevices.get(s);
            smallest = Math.min(smallest, devs.size() / c.tensor());
            long capacity = request.usableBytes(devs.get(0).profile().memoryBytes());
            // a group at either end of the cluster has no neighbour there (only the first or last stage sits there)
            int at = cluster.devices().indexOf(devs.get(0));
            int after = at + devs.size();
            ClusterDevice before = c.groupOf(s) == 0 ? last(groups.apply(c.pipeline() - 1)) : cluster.devices().get(Math.max(at - 1, 0));
            ClusterDevice next = c.groupOf(s) == c.pipeline() - 1 ? groups.apply(0).get(0)
                    : cluster.devices().get(Math.min(after, cluster.devices().size() - 1));
            SlotLink in = s == 0 || (at == 0 && c.groupOf(s) != 0) ? SlotLink.FREE : link(before, devs.get(0));
            SlotLink out = s == p - 1 || (after == cluster.devices().size() && c.groupOf(s) != c.pipeline() - 1)
                    ? SlotLink.FREE : link(devs.get(0), next);
            stages.add(new StageSlot(s, devs.get(0).type() + " x" + devs.size() + " from " + devs.get(0).id(),
                    capacity, in, out));
        }
        // per stage, not per block: its data-parallel group, its in-flight micro-batches, and the first stage whose
        // devices price a block the same (as many devices of one type: BlockProbe's key), whose price it shares
        List<List<String>> dpGroups = new ArrayList<>();
        List<Map<Long, Double>> allReducePrices = new ArrayList<>();
        int[] inFlight = MemoryModel.maxInFlight(skeleton);
        int[] weightPending = new int[p];
        int[] firstPriced = new int[p];
        // the first stage on the same devices (an interleaved chunk's group), whose compute and all-reduce it shares
        int[] sameDevices = new int[p];
        // the first stage whose blocks need the same memory: the same prices, in-flight and pending micro-batches
        int[] sameMemory = new int[p];
        Map<List<Integer>, Integer> firstWithMemory = new HashMap<>();
        for (int s = 0; s < p; s++) {
            List<ClusterDevice> devs = stageDevices.get(s);
            dpGroups.add(IntStream.range(0, devs.size() / c.tensor()).mapToObj(k -> devs.get(k * c.tensor()).id()).toList());
            allReducePrices.add(allReduceSeconds.computeIfAbsent(dpGroups.get(s), g -> new HashMap<>()));
            weightPending[s] = MemoryModel.maxWeightPending(skeleton, s);
            int first = 0;
            while (!samePrice(devs, stageDevices.get(first))) {
                first++;
            }
            firstPriced[s] = first;
            int same = 0;
            while (!devs.equals(stageDevices.get(same))) {
                same++;
            }
            sameDevices[s] = same;
            int stage = s;
            sameMemory[s] = firstWithMemory.computeIfAbsent(List.of(first, inFlight[s], weightPending[s]), k -> stage);
        }
        List<List<BlockProbe.Result>> prices = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            prices.add(firstPriced[s] == s ? probe.prices(stageDevices.get(s), c, request, c.recompute()) : prices.get(firstPriced[s]));
        }
        // per replica count, each block's received bytes per device (a stage's samples per replica, split over t)
        Map<Integer, long[]> received = new HashMap<>();
        List<long[]> stageReceived = stageDevices.stream()
                .map(devs -> received.computeIfAbsent(devs.size() / c.tensor(), r -> receivedBytes(c, r, scale))).toList();
        List<Block> list = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            long[] compute = new long[p];
            long[] allReduce = new long[p];
            long[] memory = new long[p];
            for (int s = 0; s < p; s++) {
                BlockProbe.Result price = prices.get(s).get(b);
                if (sameDevices[s] < s) {
                    compute[s] = compute[sameDevices[s]];
                    allReduce[s] = allReduce[sameDevices[s]];
                } else {
                    compute[s] = computeNanos(price);
                    List<String> dpGroup = dpGroups.get(s);
                    double seconds = allReducePrices.get(s).computeIfAbsent(price.parameterShare() * gradientBytes,
                            n -> cost.allReduceSeconds(cluster, dpGroup, n));
                    allReduce[s] = Math.round(seconds * 1e9 / c.microBatches());
                }
                memory[s] = sameMemory[s] < s ? memory[sameMemory[s]]
                        : memoryBytes(price.memory().withCounts(inFlight[s], weightPending[s]), stageReceived.get(s)[b]);
            }
            list.add(new Block(b, labels.get(b), compute, allReduce, memory));
        }
        // per device: the samples of the stage with the fewest replicas (all stages' when they are even)
        int samples = c.microBatchSize() / smallest;
        List<BlockLink> links = new ArrayList<>();
        for (int o = 0; o < blocks.outputs().size(); o++) {
            BlockSet.Output out = blocks.outputs().get(o);
            BlockLink.Output output = new BlockLink.Output(o, microBatchBytes(out.outputBytes(), samples));
            out.toBlock().forEach((to, bytes) -> links.add(new BlockLink(out.block(), to, microBatchBytes(bytes, samples), output)));
        }
        return new PlacementProblem(list, links, stages);
    }

    /**
     * A lower bound of the estimated step {@code slots x bottleneck} ({@link Configuration#leastStepSlots}): the
     * bottleneck is at least the mean stage (or model chunk) compute and at least the slowest block, on the
     * fastest device type of the configuration.
     */
    double lowerBoundSeconds(Configuration c) {
        double best = Double.POSITIVE_INFINITY;
        java.util.Set<String> types = new java.util.HashSet<>();
        for (int s = 0; s < c.pipeline(); s++) {
            List<ClusterDevice> devs = stageDevices(c, s);
            if (!types.add(devs.get(0).type())) {
                continue;
            }
            BlockProbe.ComputeTotals compute = probe.totals(devs, c, request, c.recompute());
            best = Math.min(best, Math.max(compute.sumSeconds() / c.stages(), compute.largestSeconds()));
        }
        return c.leastStepSlots() * best;
    }

    /**
     * How far {@link #lowerBoundSeconds} (seconds) may lie above the dynamic program's bottleneck (whole nanoseconds
     * per block, rounded) times the slots: half a nanosecond per block and slot, doubled.
     */
    double roundingSeconds(Configuration c) {
        return c.leastStepSlots() * blocks.size() * 1e-9;
    }

    /** fp32 bytes per sample as bytes for {@code samples} samples, at the request's precision. */
    private long microBatchBytes(long bytesPerSample, int samples) {
        return (long) Math.ceil(bytesPerSample * samples * (request.precision().computeBytes() / 4.0));
    }

    /**
     * The block's memory on its stage ({@link StageMemory#peakActivationBytes}, the simulator's rule) plus its inputs
     * from other blocks for every micro-batch that stashes anything (whole or for a deferred weight-gradient pass).
     */
    private static long memoryBytes(StageMemory m, long inputBytes) {
        long stashing = m.maxInFlight() + Math.max(0, m.maxWeightPending() - 1L);
        return m.fixed().total() + m.peakActivationBytes() + stashing * inputBytes;
    }

    private static String label(List<String> ops) {
        return ops.size() == 1 ? ops.get(0) : ops.get(0) + ".." + ops.get(ops.size() - 1);
    }

    private SlotLink link(ClusterDevice a, ClusterDevice b) {
        CostModel.Link l = cost.link(cluster, a.id(), b.id());
        return new SlotLink(Math.round(l.latencySeconds() * 1e9), l.bandwidthBytesPerSecond());
    }

    /** A plan with the configuration's shape (placeholder ops), for the simulator's in-flight rule. */
    private PlacementPlan skeleton(Configuration c) {
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < c.stages(); s++) {
            stages.add(new Stage(s, stageDevices(c, s).stream().map(ClusterDevice::id).toList(), List.of("op"), false));
        }
        return new PlacementPlan("", "", "", "", request.precision(), request.optimizer(),
                c.microBatchSize() * c.microBatches(), c.microBatchSize(), c.microBatches(), c.schedule(),
                c.tensor(), stages, PlanOptions.NONE, c.virtualStages());
    }

    private static boolean samePrice(List<ClusterDevice> a, List<ClusterDevice> b) {
        return a.size() == b.size() && a.get(0).type().equals(b.get(0).type());
    }

    private static ClusterDevice last(List<ClusterDevice> devices) {
        return devices.get(devices.size() - 1);
    }
}
