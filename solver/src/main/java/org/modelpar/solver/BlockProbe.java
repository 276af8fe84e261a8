package org.modelpar.solver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.ExpertTraffic;
import org.modelpar.simulator.cost.StageCosts;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

/**
 * Prices one block on one device group by asking the simulator: the block's ops (and the tensors between
 * them) form a one-stage probe plan on the group's devices (with the request's ZeRO stage and the configuration's
 * expert-parallel degree, which shard the state over the group's replicas), which {@link StageCosts} and
 * {@link MemoryModel} evaluate exactly as they evaluate a real stage; with expert parallelism the time adds the
 * block's dispatch and combine all-to-alls, forward and backward ({@link ExpertTraffic} of the block's experts with
 * their tensors in the whole graph, over the first expert group's devices of tensor rank 0), which the lowering runs
 * as instructions of their own (a layer whose experts fall in several blocks counts its latencies in each: an
 * upper bound). Results are cached per
 * block, device type, tensor degree, samples per replica, recomputation, expert degree and ZeRO stage, and from ZeRO
 * stage 1 also per replica count (the state is sharded over the stage's replicas, {@code ZeroSharding}), so one
 * instance serves the searches at every ZeRO stage.
 */
final class BlockProbe {
    /**
     * @param computeSeconds forward + backward of one micro-batch (with recomputation when asked), with the
     *                       expert all-to-alls
     * @param memory         the simulator's memory facts for the block alone (no inputs from other blocks)
     * @param parameterShare fp32 parameters of the block one rank of a tensor group holds
     *                       ({@link org.modelpar.simulator.plan.PlanLayout#parameterShare(int)})
     */
    record Result(double computeSeconds, StageMemory memory, long parameterShare) {
    }

    private final ComputationGraph graph;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final BlockSet blocks;
    private final List<ComputationGraph> subGraphs = new ArrayList<>();
    /** Per key, the price of each block (null until asked). */
    private final Map<Key, Result[]> cache = new HashMap<>();
    private final Map<Key, ComputeTotals> totals = new HashMap<>();
    /** Per block, the first block whose sub-graph is the same up to op and tensor ids ({@link #signature}). */
    private final List<Integer> sameAs = new ArrayList<>();
    /** Per block and precision, its probe plan's layout, validated once ({@link #probe}). */
    private final Map<LayoutKey, PlanLayout> layouts = new HashMap<>();

    BlockProbe(ComputationGraph graph, ClusterSpec cluster, CostModel cost, BlockSet blocks) {
        this.graph = graph;
        this.cluster = cluster;
        this.cost = cost;
        this.blocks = blocks;
        Map<String, Integer> firstOf = new HashMap<>();
        for (int b = 0; b < blocks.size(); b++) {
            subGraphs.add(subGraph(b));
            int block = b;
            sameAs.add(firstOf.computeIfAbsent(signature(subGraphs.get(b)), k -> block));
        }
    }

    /**
     * @param block     block index
     * @param devices   one stage's devices (t x its replicas, of one type, replica-major)
     * @param config    the configuration (tensor degree, micro-batch, precision come from here and the request)
     * @param recompute whether the stage recomputes
     */
    Result price(int block, List<ClusterDevice> devices, Configuration config, PlanRequest request, boolean recompute) {
        return price(block, row(devices, config, request, recompute), devices, config, request, recompute);
    }

    /** Every block's {@link #price} on the devices, in block order. */
    List<Result> prices(List<ClusterDevice> devices, Configuration config, PlanRequest request, boolean recompute) {
        Result[] row = row(devices, config, request, recompute);
        for (int b = 0; b < row.length; b++) {
            price(b, row, devices, config, request, recompute);
        }
        return List.of(row);
    }

    private Result[] row(List<ClusterDevice> devices, Configuration config, PlanRequest request, boolean recompute) {
        return cache.computeIfAbsent(Key.of(devices, config, request, recompute), k -> new Result[blocks.size()]);
    }

    private Result price(int block, Result[] row, List<ClusterDevice> devices, Configuration config, PlanRequest request,
                         boolean recompute) {
        if (row[block] == null) {
            // a block's price depends on its ops and the tensors between them alone (with experts spread, also on the
            // tensors from other blocks), so structurally equal blocks (a transformer's layers) are priced once
            int priced = config.expertParallel() == 1 ? sameAs.get(block) : block;
            if (row[priced] == null) {
                row[priced] = probe(priced, devices, config, request, recompute);
            }
            row[block] = row[priced];
        }
        return row[block];
    }

    /**
     * The sum and the largest of every block's {@link Result#computeSeconds} on the devices (as {@link #price}),
     * cached per {@link Key#compute}: the search's lower bound asks it for every configuration.
     */
    ComputeTotals totals(List<ClusterDevice> devices, Configuration config, PlanRequest request, boolean recompute) {
        return totals.computeIfAbsent(Key.of(devices, config, request, recompute).compute(), k -> {
            double sum = 0;
            double largest = 0;
            for (Result r : prices(devices, config, request, recompute)) {
                sum += r.computeSeconds();
                largest = Math.max(largest, r.computeSeconds());
            }
            return new ComputeTotals(sum, largest);
        });
    }

    /** Every block's compute on one device group: the sum and the largest, in seconds per micro-batch. */
    record ComputeTotals(double sumSeconds, double largestSeconds) {
    }

    /**
     * What a block's price depends on besides the block: tensor groups stay inside a node, so the device type, t and
     * samples per replica (with recomputation and the expert degree); from ZeRO stage 1 also the replicas the state
     * is sharded over (what a device holds is its share, {@code ZeroSharding}).
     */
    private record Key(String deviceType, int tensor, int samplesPerReplica, boolean recompute, int expertParallel,
                       int zeroStage, int shardedOver) {
        static Key of(List<ClusterDevice> devices, Configuration config, PlanRequest request, boolean recompute) {
            int replicas = devices.size() / config.tensor();
            int zero = request.zeroStage().orElse(0);
            return new Key(devices.get(0).type(), config.tensor(), config.microBatchSize() / replicas, recompute,
                    config.expertParallel(), zero, zero == 0 ? 1 : replicas);
        }

        /** The key of the compute alone, which the sharding leaves as it is. */
        Key compute() {
            return new Key(deviceType, tensor, samplesPerReplica, recompute, expertParallel, 0, 1);
        }
    }

    private record LayoutKey(int block, Precision precision, int tensor) {
    }

    /** The block priced by the simulator, not cached (the cache prices one block of each {@link #signature}). */
    Result probe(int block, List<ClusterDevice> devices, Configuration config, PlanRequest request,
                         boolean recompute) {
        ComputationGraph sub = subGraphs.get(block);
        List<String> ids = devices.stream().map(ClusterDevice::id).toList();
        // one stage of one chunk: an interleaved configuration's chunk is priced as a 1F1B stage
        Schedule schedule = config.schedule().interleaves() ? Schedule.ONE_F_ONE_B : config.schedule();
        PlacementPlan probe = new PlacementPlan(sub.name(), "", cluster.name(), "", request.precision(),
                request.optimizer(), config.microBatchSize(), config.microBatchSize(), 1, schedule,
                config.tensor(), List.of(new Stage(0, ids, blocks.opsOfBlock().get(block), recompute)),
                PlanOptions.NONE.withZeroStage(request.zeroStage().orElse(0)).withExpertParallel(config.expertParallel()));
        // a one-stage plan without sequence parallelism is laid out from its graph, precision and tensor degree alone
        // (PlanLayout.of): the block is laid out once per precision and degree, and each probe plan takes that layout's stages
        PlanLayout shape = layouts.computeIfAbsent(new LayoutKey(block, request.precision(), config.tensor()),
                k -> PlanValidator.validate(probe, sub, cluster));
        PlanLayout layout = shape.withPlan(probe);
        double seconds = StageCosts.of(layout, cluster, cost, 0, devices.get(0).profile(),
                ids.subList(0, config.tensor())).totalSeconds() + expertSeconds(layout, ids, config, recompute);
        return new Result(seconds, MemoryModel.stage(layout, 0), layout.parameterShare(0));
    }

    /** The block's expert all-to-alls, forward and backward, over the tensor-rank-0 devices of its first e replicas. */
    private double expertSeconds(PlanLayout layout, List<String> ids, Configuration config, boolean recompute) {
        if (config.expertParallel() == 1) {
            return 0;
        }
        List<String> group = IntStream.range(0, config.expertParallel()).mapToObj(r -> ids.get(r * config.tensor())).toList();
        List<OpNode> ops = layout.stage(0).ops();
        double samples = layout.samplesPerReplica(0);
        return ExpertTraffic.of(graph, ops, samples, layout.plan().precision(), 1).seconds(cost, cluster, group)
                + ExpertTraffic.of(graph, ops, samples, layout.plan().precision(), recompute ? 2 : 1).seconds(cost, cluster, group);
    }

    /**
     * The sub-graph without its ids: per op in order its kind, its layer tag as the order in which the tag first
     * appears (the simulator groups ops by tag: parameter units, recomputed layers, tensor-parallel layers), its
     * FLOPs, bytes, measured times and attributes; per tensor its ends as op positions and its bytes.
     */
    static String signature(ComputationGraph sub) {
        Map<String, Integer> position = new HashMap<>();
        Map<String, Integer> layers = new HashMap<>();
        StringBuilder out = new StringBuilder();
        for (OpNode op : sub.ops()) {
            position.put(op.id(), position.size());
            out.append(op.kind()).append('|').append(op.layer().isEmpty() ? "-" : layers.computeIfAbsent(op.layer(), k -> layers.size()))
                    .append('|').append(op.forwardFlops()).append('|').append(op.backwardFlops()).append('|')
                    .append(op.parameterBytes()).append('|').append(op.activationBytes()).append('|').append(op.workspaceBytes())
                    .append('|').append(new java.util.TreeMap<>(op.measured())).append('|')
                    .append(new java.util.TreeMap<>(op.attributes())).append(';');
        }
        for (TensorEdge t : sub.tensors()) {
            out.append(position.get(t.from())).append('>').append(position.get(t.to())).append(':').append(t.bytes()).append(';');
        }
        return out.toString();
    }

    private ComputationGraph subGraph(int block) {
        List<String> opIds = blocks.opsOfBlock().get(block);
        Set<String> inside = new HashSet<>(opIds);
        List<OpNode> ops = opIds.stream().map(id -> graph.op(id).orElseThrow()).toList();
        List<TensorEdge> tensors = new ArrayList<>();
        for (String id : opIds) {
            for (TensorEdge t : graph.outgoing(id)) {
                if (inside.contains(t.to())) {
                    tensors.add(t);
                }
            }
        }
        return graph.derived(graph.name() + "#block" + block, graph.measuredBatchSize(), ops, tensors);
    }
}
