package org.modelpar.solver;

import java.util.Arrays;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.partition.Ideals;
import org.modelpar.solver.partition.ReplicaPartitioner;
import org.modelpar.solver.partition.StageCost;
import org.modelpar.solver.timefold.ChainSeed;
import org.modelpar.solver.timefold.PlacementProblem;
import org.modelpar.solver.timefold.Frontier;
import org.modelpar.solver.timefold.SplitCost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocks of a search and the dynamic program that places each configuration's blocks into stages.
 *
 * <ul>
 *   <li>A graph whose layer blocks form a chain (transformers, VGG): those blocks ({@link BlockSet#of}),
 *       split by the exact chain program.</li>
 *   <li>Any other DAG: the finest coarsening of its ops ({@link BlockSet#ofOps}, between the ops themselves
 *       and all series chains contracted, so no block spans a branch point), found by bisection on the
 *       block count, whose block DAG has at most {@link #MAX_IDEALS} ideals; placed by the exact program
 *       over ideals ({@link IdealPartitioner} with {@link SplitCost}). The ideals are enumerated once per
 *       search and reused by every configuration.</li>
 *   <li>When even the contracted DAG has more ideals (or more blocks than {@code --max-blocks}): the layer
 *       blocks split along their order ({@link ChainSeed}), which Timefold then refines, and the
 *       explanation says so.</li>
 * </ul>
 */
final class StagePlacer {
    private static final Logger LOG = LoggerFactory.getLogger(StagePlacer.class);
    /**
     * The most ideals the exact program takes: each configuration visits every nested pair (at most
     * 1.1 million at this bound), which keeps a placement within tens of milliseconds.
     */
    static final int MAX_IDEALS = 1_500;
    /**
     * Above this many links between blocks (one per producing op and later block reading it) Timefold's
     * local search does not refine a placement: each move regroups the links by output and stage, and
     * 100,000 moves over 8,430 links took 24 s (a 10,000-op random DAG).
     */
    static final int MAX_TIMEFOLD_LINKS = 2_000;
    /** The most stage evaluations (nested pairs x stages x replicas^2) the replicated program may take. */
    static final long MAX_REPLICATED_WORK = 20_000_000L;

    private final BlockSet blocks;
    private final Optional<Ideals> ideals;
    /** The ideals, or the prefixes of the block order when they were not enumerated (chains, the fallback). */
    private final Ideals nested;
    private final boolean exact;
    private final String method;
    /** The outputs open at each of {@link #nested}, made from the first problem placed (every problem has the same links). */
    private Frontier frontier;

    private StagePlacer(BlockSet blocks, Optional<Ideals> ideals, boolean exact, String method) {
        this.blocks = blocks;
        this.ideals = ideals;
        this.nested = ideals.orElseGet(() -> Ideals.prefixes(blocks.size()));
        this.exact = exact;
        this.method = method;
    }

    static StagePlacer of(ComputationGraph graph, int maxBlocks) {
        BlockSet layers = BlockSet.of(graph, maxBlocks);
        if (layers.isChain()) {
            return new StagePlacer(layers, Optional.empty(), true, "exact dynamic program over the chain of "
                    + layers.size() + " blocks");
        }
        int series = BlockSet.seriesBlocks(graph);
        int low = series;
        int high = Math.min(maxBlocks, graph.opCount());
        Optional<StagePlacer> finest = Optional.empty();
        while (low <= high) {
            int mid = (low + high) >>> 1;
            BlockSet candidate = BlockSet.ofOps(graph, mid);
            Optional<Ideals> ideals = Ideals.of(candidate.size(), candidate.edges(), MAX_IDEALS);
            if (ideals.isPresent()) {
                finest = Optional.of(new StagePlacer(candidate, ideals, true, "exact dynamic program over the "
                        + ideals.get().count() + " ideals of " + candidate.size() + " op blocks (series chains leave "
                        + series + "; at most " + MAX_IDEALS + " ideals)"));
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return finest.or(() -> ofLayerChain(graph, series, maxBlocks)).orElseGet(() -> {
            String reason = opsReason(series, maxBlocks);
            int links = links(layers);
            String refined = links <= MAX_TIMEFOLD_LINKS ? "refined by Timefold"
                    : "not refined by Timefold (" + links + " links between blocks, more than " + MAX_TIMEFOLD_LINKS + ")";
            LOG.info("'{}': {}; placing {} blocks along their order, {}", graph.name(), reason, layers.size(), refined);
            return new StagePlacer(layers, Optional.empty(), false, "dynamic program along the order of "
                    + layers.size() + " blocks, " + refined + " (not exact: " + reason + ")");
        });
    }

    /**
     * When the ops' DAG has too many ideals even with its series chains contracted (a mixture-of-experts layer's
     * experts, each free to join any earlier stage): the exact chain program over the layer blocks, if those form
     * a chain (a layer is not split, as on every transformer whose layers have no parallel branches).
     */
    private static Optional<StagePlacer> ofLayerChain(ComputationGraph graph, int series, int maxBlocks) {
        if (!BlockSet.splitsLayers(graph, maxBlocks)) {
            return Optional.empty(); // the blocks of BlockSet.of are the layer blocks, and they are no chain
        }
        BlockSet layers = BlockSet.ofLayers(graph, maxBlocks);
        if (!layers.isChain()) {
            return Optional.empty();
        }
        return Optional.of(new StagePlacer(layers, Optional.empty(), true, "exact dynamic program over the chain of "
                + layers.size() + " layer blocks (not split further: " + opsReason(series, maxBlocks) + ")"));
    }

    private static String opsReason(int series, int maxBlocks) {
        return series > maxBlocks
                ? "its series chains leave " + series + " blocks, more than --max-blocks " + maxBlocks
                : "its DAG has more than " + MAX_IDEALS + " ideals even with the series chains contracted";
    }

    private static int links(BlockSet blocks) {
        return blocks.outputs().stream().mapToInt(o -> o.toBlock().size()).sum();
    }

    /**
     * Whether Timefold should refine the best configuration's placement: where the program is not exact
     * or the cluster mixes device types (its local search may then beat the program's stage order), and
     * only up to {@link #MAX_TIMEFOLD_LINKS} links.
     */
    boolean refineWithTimefold(boolean heterogeneous) {
        return (!exact || heterogeneous) && links(blocks) <= MAX_TIMEFOLD_LINKS;
    }

    BlockSet blocks() {
        return blocks;
    }

    /** The ideals the program places over: the block DAG's, or the prefixes of a chain or of the order fallback. */
    Ideals ideals() {
        return nested;
    }

    /** How the blocks are placed, for the explanation. */
    String method() {
        return method;
    }

    /** The placement minimizing the slowest stage, or empty when none fits in memory. */
    Optional<IdealPartitioner.Result> place(PlacementProblem problem) {
        return place(problem, free(problem));
    }

    /**
     * As {@link #place(PlacementProblem)} where the slowest stage is below {@code belowNanos}, or empty: on blocks
     * that are not a chain's, not placed at all when {@link SplitCost#leastBottleneck} reaches it, otherwise the
     * program skips every stage that cannot be below it.
     */
    Optional<IdealPartitioner.Result> placeBelow(PlacementProblem problem, double belowNanos) {
        int k = problem.stages().size();
        if (k > problem.blocks().size() || ideals.isEmpty() && exact) {
            return place(problem);
        }
        SplitCost cost = cost(problem);
        if (cost.leastBottleneck(k) >= belowNanos) {
            return Optional.empty();
        }
        return IdealPartitioner.minimizeBottleneck(nested, k, cost, searchNodes(), belowNanos);
    }

    /**
     * The placement minimizing the slowest stage with every pinned block on its stage, or empty when none
     * fits in memory.
     *
     * @param pinnedStage stage per block, -1 when free
     */
    Optional<IdealPartitioner.Result> place(PlacementProblem problem, int[] pinnedStage) {
        int k = problem.stages().size();
        if (k > problem.blocks().size()) {
            return Optional.empty();
        }
        if (ideals.isEmpty() && exact) {
            // ChainSeed's program, on the prefixes and the frontier this search made once
            StageCost cost = cost(problem)::of;
            boolean pins = Arrays.stream(pinnedStage).anyMatch(s -> s >= 0);
            return ChainSeed.optimal(problem, pins ? ChainSeed.pinned(pinnedStage, cost) : cost)
                    .map(p -> new IdealPartitioner.Result(p.stageOfBlock(), p.bottleneck()));
        }
        return place(cost(problem), k, pinnedStage);
    }

    private Optional<IdealPartitioner.Result> place(SplitCost cost, int k, int[] pinnedStage) {
        boolean pins = Arrays.stream(pinnedStage).anyMatch(s -> s >= 0);
        return IdealPartitioner.minimizeBottleneck(nested, k, !pins ? cost : new IdealPartitioner.Cost() {
            @Override
            public double of(int s, int inner, int outer) {
                return pinnedElsewhere(nested, pinnedStage, s, inner, outer) ? Double.POSITIVE_INFINITY : cost.of(s, inner, outer);
            }

            @Override
            public double lowerBound(int s, int inner, int outer) {
                return cost.lowerBound(s, inner, outer);
            }

            @Override
            public int firstInner(int s, int outer, double bar) {
                return cost.firstInner(s, outer, bar);
            }

            @Override
            public double bottleneck(int[] chain, int fixed) {
                for (int s = 0; s < fixed; s++) {
                    if (pinnedElsewhere(nested, pinnedStage, s, chain[s], chain[s + 1])) {
                        return Double.POSITIVE_INFINITY;
                    }
                }
                return cost.bottleneck(chain, fixed);
            }
        }, searchNodes());
    }

    /** The order fallback is not exact anyway: its placement is scored exactly, without the search. */
    private int searchNodes() {
        return exact ? IdealPartitioner.SEARCH_NODES : 0;
    }

    private static int[] free(PlacementProblem problem) {
        int[] free = new int[problem.blocks().size()];
        Arrays.fill(free, -1);
        return free;
    }

    private SplitCost cost(PlacementProblem problem) {
        if (frontier == null) {
            frontier = Frontier.of(problem.links(), nested);
        }
        return new SplitCost(problem, nested, frontier);
    }

    /**
     * PipeDream's hybrid placement of configuration c: the blocks and the replicas of every stage together
     * ({@link ReplicaPartitioner}; replicas of t devices in cluster order, summing to p x d, each dividing the
     * micro-batch), over the same ideals (or a chain's prefixes) as {@link #place}; empty when none fits,
     * when the placement is the order fallback, when the program would take more than
     * {@link #MAX_REPLICATED_WORK} stage evaluations, or when no placement's slowest stage is below {@code belowNanos}.
     */
    Optional<ReplicaPartitioner.Result> placeReplicated(Configuration c, ProblemBuilder problems, double belowNanos) {
        return placeReplicated(c, problems, belowNanos, ReplicaWork.none(nested, c.pipeline() * c.data()));
    }

    /** As {@link #placeReplicated(Configuration, ProblemBuilder, double)}, the program's states bounded by the blocks' work. */
    Optional<ReplicaPartitioner.Result> placeReplicated(Configuration c, ProblemBuilder problems, double belowNanos,
                                                        ReplicaWork work) {
        int replicas = c.pipeline() * c.data();
        if (!replicates(c)) {
            return Optional.empty();
        }
        return ReplicaPartitioner.minimizeBottleneck(nested, c.pipeline(), replicas, new ReplicatedSplitCost(replicas, c.microBatchSize(),
                (first, count) -> cost(problems.buildOnReplicas(c, first, count)), work), IdealPartitioner.SEARCH_NODES, belowNanos);
    }

    /**
     * Whether a hybrid placement of c ({@link #placeReplicated}) may fit in memory: only when the blocks fit into c's
     * stages each on the most replicas one stage can have (all but one per other stage, fewer when that count does
     * not divide the micro-batch). A block's memory on a stage does not grow with the stage's replicas (each runs
     * fewer samples of the micro-batch, and ZeRO shards the state over more), nor depends on which replicas they
     * are (one device type), so no placement with fewer replicas on a stage fits where this one does not. False too
     * where {@link #placeReplicated} would not run its program.
     */
    boolean mayFitReplicated(Configuration c, ProblemBuilder problems) {
        if (!replicates(c)) {
            return false;
        }
        int most = c.pipeline() * c.data() - (c.pipeline() - 1);
        while (c.microBatchSize() % most != 0) {
            most--;
        }
        return place(problems.buildOnReplicas(c, 0, most)).isPresent();
    }

    /**
     * Whether {@link #placeReplicated} places configuration c at all: exact placement, at most a block per stage, and
     * at most {@link #MAX_REPLICATED_WORK} stage evaluations.
     */
    boolean replicates(Configuration c) {
        long replicas = (long) c.pipeline() * c.data();
        return exact && c.pipeline() <= blocks.size() && nested.pairs() * c.pipeline() * replicas * replicas <= MAX_REPLICATED_WORK;
    }

    private static boolean pinnedElsewhere(Ideals all, int[] pinnedStage, int stage, int inner, int outer) {
        for (int b = 0; b < pinnedStage.length; b++) {
            if (pinnedStage[b] >= 0 && pinnedStage[b] != stage && all.contains(outer, b) && !all.contains(inner, b)) {
                return true;
            }
        }
        return false;
    }
}
