package org.modelpar.solver.partition;

import java.util.List;

/**
 * PipeDream's stage cost (Narayanan et al., "PipeDream: Generalized Pipeline Parallelism for DNN Training",
 * SOSP 2019, section 3.1; its {@code optimizer_graph_hierarchical.py}, one network level) as the stage cost
 * of the replicated dynamic program over ideals ({@link ReplicaPartitioner}), so that program optimizes
 * PipeDream's objective on any DAG. For a stage on r replicas holding blocks with compute C (forward +
 * backward, seconds per minibatch) and parameter bytes P, over bandwidth B:
 *
 * <ul>
 *   <li>time {@code (C + 4 (r-1) P / (B r)) / r}: the compute split among the replicas plus PipeDream's
 *       data-parallel all-reduce ({@link PipeDreamPartitioner#stageTime});</li>
 *   <li>when activations count, also {@code 2 A_in / (B r)} and {@code 2 A_out / (B r)} (the activation
 *       forward and its gradient backward, split among the replicas), where A is the output of the ideal
 *       the stage starts or ends at: the summed outputs of PipeDream's augmented antichain of that ideal
 *       (its maximal blocks, and every predecessor of a maximal block a with an edge to a block that is
 *       neither a nor a predecessor of a). The first stage pays no transfer (PipeDream's base case) and
 *       the last no output transfer; the stage's time is the largest of the three;</li>
 *   <li>with a memory limit M, the stage is forbidden when {@code ceil(later / r) x (its activations + P)}
 *       exceeds M, where {@code later} is the number of machines after the stage (PipeDream's stashed
 *       minibatches).</li>
 * </ul>
 *
 * <p>The stage's cost depends on the stage alone (the inherited {@link ReplicaPartitioner.Cost#bottleneck}
 * is exact), so the program's optimum is PipeDream's over the ideals it is given.
 *
 * <p>Two network levels ({@link #overMachines}), as PipeDream's hierarchical program: each worker of the upper
 * level is a whole machine of the level below, so an upper stage's compute C is the best pipeline of its
 * blocks over one machine by the lower level's cost ({@link ReplicaPartitioner#bottleneckFrom}); transfers and
 * all-reduces use the upper level's bandwidth, and the first stage's all-reduce is divided by the workers in a
 * machine (PipeDream's {@code num_machines_within_machine}: its first stage is the program's base case).
 */
public final class PipeDreamCost implements ReplicaPartitioner.Cost {
    /**
     * PipeDream's machines and network.
     *
     * @param machines                number of workers R the replicas sum to, at least 1
     * @param bandwidthBytesPerSecond bytes per second between workers, positive
     * @param countsActivations       whether boundary transfers count ({@code --activation_compression_ratio 1})
     * @param memoryBytes             PipeDream's per-worker memory limit ({@code --use_memory_constraint -s}),
     *                                positive infinity for none
     */
    public record Network(int machines, double bandwidthBytesPerSecond, boolean countsActivations, double memoryBytes) {
        public Network {
            if (machines < 1 || !(bandwidthBytesPerSecond > 0) || !(memoryBytes > 0)) {
                throw new IllegalArgumentException("need machines >= 1, bandwidth > 0 and memory > 0, got machines="
                        + machines + " bandwidthBytesPerSecond=" + bandwidthBytesPerSecond + " memoryBytes=" + memoryBytes);
            }
        }

        /** The same network with a memory limit. */
        public Network withMemoryBytes(double limit) {
            return new Network(machines, bandwidthBytesPerSecond, countsActivations, limit);
        }
    }

    /** Compute seconds (forward + backward) of the blocks of ideal {@code outer} minus ideal {@code inner}. */
    @FunctionalInterface
    private interface StageCompute {
        double seconds(int inner, int outer);
    }

    private final Ideals ideals;
    private final Network network;
    private final StageCompute compute;
    /** Workers in each machine of this level (1 at the first level), dividing the first stage's all-reduce. */
    private final int workersPerMachine;
    private final double[] parameterBytes;
    private final double[] activationBytes;
    private final double[] outputBytes;

    /**
     * @param ideals the ideals the program runs over
     * @param blocks per block, compute seconds (forward + backward), parameter bytes and output activation bytes
     * @param edges  {@code {from, to}} block pairs of the DAG the ideals were made from
     */
    public PipeDreamCost(Ideals ideals, PipeDreamPartitioner.Profile blocks, List<int[]> edges, Network network) {
        this(ideals, blocks, edges, network, 1, blockSums(ideals, blocks));
    }

    private static StageCompute blockSums(Ideals ideals, PipeDreamPartitioner.Profile blocks) {
        double[] computeSeconds = ideals.sums(blocks.computeSeconds());
        return (inner, outer) -> computeSeconds[outer] - computeSeconds[inner];
    }

    private PipeDreamCost(Ideals ideals, PipeDreamPartitioner.Profile blocks, List<int[]> edges, Network network,
                          int workersPerMachine, StageCompute compute) {
        if (blocks.blocks() != ideals.blocks()) {
            throw new IllegalArgumentException("profile has " + blocks.blocks() + " blocks, the ideals " + ideals.blocks());
        }
        this.ideals = ideals;
        this.network = network;
        this.workersPerMachine = workersPerMachine;
        this.compute = compute;
        parameterBytes = ideals.sums(blocks.parameterBytes());
        activationBytes = ideals.sums(blocks.activationBytes());
        outputBytes = new AugmentedAntichain(ideals, edges).outputBytes(blocks.activationBytes());
    }

    /**
     * PipeDream's cost one network level up: each of {@code upper}'s machines holds {@code workersPerMachine}
     * workers of the level below, priced by {@code lower} (this class's cost of that level, possibly restricted),
     * and a stage's compute is the best pipeline of its blocks over one machine's workers, any stage count.
     * Those pipelines are found per start ideal the first time they are needed and kept.
     */
    public static PipeDreamCost overMachines(Ideals ideals, PipeDreamPartitioner.Profile blocks, List<int[]> edges,
                                             Network upper, int workersPerMachine, ReplicaPartitioner.Cost lower) {
        if (workersPerMachine < 1) {
            throw new IllegalArgumentException("need at least 1 worker per machine, got " + workersPerMachine);
        }
        double[][] machinePipelines = new double[ideals.count()][];
        StageCompute machine = (inner, outer) -> {
            if (machinePipelines[inner] == null) {
                machinePipelines[inner] = ReplicaPartitioner.bottleneckFrom(ideals, inner, workersPerMachine, lower);
            }
            return machinePipelines[inner][outer];
        };
        return new PipeDreamCost(ideals, blocks, edges, upper, workersPerMachine, machine);
    }

    @Override
    public double of(int stage, int first, int replicas, int inner, int outer) {
        double parameters = parameterBytes[outer] - parameterBytes[inner];
        int later = network.machines() - first - replicas;
        double stashed = Math.ceil((double) later / replicas) * (activationBytes[outer] - activationBytes[inner] + parameters);
        if (stashed > network.memoryBytes()) {
            return Double.POSITIVE_INFINITY;
        }
        double bandwidth = network.bandwidthBytesPerSecond();
        double reduced = stage == 0 ? parameters / workersPerMachine : parameters;
        double time = PipeDreamPartitioner.stageTime(compute.seconds(inner, outer), reduced, replicas, bandwidth);
        if (!network.countsActivations() || stage == 0) {
            return time;
        }
        time = Math.max(time, transferSeconds(inner, replicas));
        return outer == ideals.full() ? time : Math.max(time, transferSeconds(outer, replicas));
    }

    @Override
    public double lowerBound(int stage, int first, int replicas, int inner, int outer) {
        return compute.seconds(inner, outer) / replicas;
    }

    /** {@code 2 A / (B r)}: the ideal's output forward and its gradient backward, split among r replicas. */
    private double transferSeconds(int ideal, int replicas) {
        return 2.0 * outputBytes[ideal] / (network.bandwidthBytesPerSecond() * replicas);
    }
}
