package org.modelpar.solver.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphReader;

/**
 * PipeDream's optimizer objective reproduced by the planner's replicated dynamic program over ideals
 * ({@link ReplicaPartitioner} over {@link Ideals}, the program {@code StagePlacer} runs) with PipeDream's stage
 * cost ({@link PipeDreamCost}) on every single-level VGG-16 and GNMT row of {@code pipedream-optimizer-results.tsv}:
 * replicated, communication, straight and memory-limited rows. With its stages limited to PipeDream's antichain
 * states ({@link PipeDreamStates}), the optimum's pipeline time per minibatch equals the row's
 * {@code pipeline_time_per_minibatch_s} to 1e-9 relative on every row (PipeDream sums each state's times in
 * Python set order and subtracts two states' sums; the program sums along its own order: the last bits differ).
 * Over every ideal it equals it too, except on three GNMT rows with 16 workers ({@link #BEYOND_PIPEDREAMS_STATES}),
 * where it is lower by PipeDream's own cost: the optimum there cuts at ideals that are not PipeDream states.
 *
 * <p>How PipeDream's assumptions map onto the program's inputs:
 * <ul>
 *   <li>graph: the planner's reader ({@link GraphReader}, {@link GraphFormat#PIPEDREAM}); blocks are its ops
 *       without the {@code Input*} sources and the {@code __getitem__} sinks, which PipeDream's optimizer
 *       removes, in topological order; the ideals are every ideal of that DAG (PipeDream's antichain states are
 *       some of them: 40 of 41 on VGG-16's chain, all but the empty one; 99 on GNMT's DAG);</li>
 *   <li>compute: an op's measured forward + backward seconds for the profiled minibatch; parameter bytes as
 *       profiled; activation bytes: the reader's bytes per sample times the profiled batch;</li>
 *   <li>machines: the program's replicas R = {@code num_machines}; a stage's replica count is r (PipeDream's
 *       m'), its compute divided by r, plus the all-reduce {@code 4 (r-1) P / (r B)} divided by r; stages in
 *       order take replicas {@code [first, first + r)}, so {@code R - first - r} machines follow the stage
 *       (PipeDream's stash factor);</li>
 *   <li>stage count: free (the smallest optimum over k = 1..R stages, replicas summing to R), or k = R with
 *       one replica each for {@code --straight_pipeline};</li>
 *   <li>communication ({@code --activation_compression_ratio 1}): the activation into and out of a stage, 2A/(rB),
 *       counted in the max of its stage (SOSP'19 section 3.1); without the flag, transfers are free;</li>
 *   <li>memory ({@code --use_memory_constraint -s M}): {@link PipeDreamCost.Network#memoryBytes}.</li>
 * </ul>
 * The two-level rows ({@code num_machines} "4,2": 2 machines of 4 workers, each level with its bandwidth) run
 * the program at each level ({@link #twoLevelRowsThroughTheProgramAtEachLevel}): an upper stage's compute is
 * the program's best pipeline of its blocks over one machine's workers ({@link PipeDreamCost#overMachines}).
 */
class PipeDreamObjectiveTest {
    private static final Map<String, Blocks> GRAPHS = new HashMap<>();
    /** Rows where a placement cutting at ideals that are not PipeDream states is faster by PipeDream's own cost. */
    private static final Set<String> BEYOND_PIPEDREAMS_STATES = Set.of("gnmt n16_10Gbps_acr1_straight",
            "gnmt n16_1GBps_acr1_straight", "gnmt n16_25Gbps_acr1", "gnmt n4x4_12GBps_10Gbps_acr1", "gnmt n8x2_25GBps_25Gbps_acr1");

    /** A model's blocks in PipeDream's terms and the ideals of their DAG. */
    record Blocks(PipeDreamPartitioner.Profile profile, List<int[]> edges, Ideals ideals, PipeDreamStates states) {
    }

    static Stream<PipeDreamData.Row> rows() throws IOException {
        return PipeDreamData.rows().stream().filter(r -> r.model().equals("vgg16") || r.model().equals("gnmt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void plannerProgramReachesPipeDreamsPipelineTime(PipeDreamData.Row row) throws IOException {
        Blocks blocks = blocks(row.model());
        PipeDreamCost cost = new PipeDreamCost(blocks.ideals(), blocks.profile(), blocks.edges(), network(row));
        double pipeDreamStages = optimum(blocks, row, blocks.states().restrict(cost));
        double everyIdeal = optimum(blocks, row, cost);
        double expected = row.pipelineSeconds();
        assertThat(pipeDreamStages).as(row.tag()).isCloseTo(expected, within(1e-9 * expected));
        if (BEYOND_PIPEDREAMS_STATES.contains(row.model() + " " + row.tag())) {
            assertThat(everyIdeal).as(row.tag()).isLessThan(expected * (1 - 1e-3));
        } else {
            assertThat(everyIdeal).as(row.tag()).isCloseTo(expected, within(1e-9 * expected));
        }
    }

    static Stream<PipeDreamData.TwoLevelRow> twoLevelRows() throws IOException {
        return PipeDreamData.twoLevelRows().stream().filter(r -> r.model().equals("vgg16") || r.model().equals("gnmt"));
    }

    /**
     * PipeDream's hierarchical optimum, equal to the row's pipeline time on PipeDream's states; over every ideal
     * equal too, or lower on the GNMT rows named in {@link #BEYOND_PIPEDREAMS_STATES} (n4x4: 0.010075 s against
     * 0.011081 s; n8x2: 0.008126 against 0.009893). Both levels count activations as the row's flags say; no row has a memory limit.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("twoLevelRows")
    void twoLevelRowsThroughTheProgramAtEachLevel(PipeDreamData.TwoLevelRow row) throws IOException {
        Blocks blocks = blocks(row.model());
        boolean activations = row.flags().contains("--activation_compression_ratio");
        PipeDreamCost.Network machine = new PipeDreamCost.Network(row.workersPerMachine(), row.machineBandwidth(), activations,
                Double.POSITIVE_INFINITY);
        PipeDreamCost.Network network = new PipeDreamCost.Network(row.machines(), row.networkBandwidth(), activations,
                Double.POSITIVE_INFINITY);
        PipeDreamStates states = blocks.states();
        PipeDreamCost lower = new PipeDreamCost(blocks.ideals(), blocks.profile(), blocks.edges(), machine);
        ReplicaPartitioner.Cost onStates = states.restrict(PipeDreamCost.overMachines(blocks.ideals(), blocks.profile(),
                blocks.edges(), network, row.workersPerMachine(), states.restrict(lower)));
        ReplicaPartitioner.Cost onIdeals = PipeDreamCost.overMachines(blocks.ideals(), blocks.profile(), blocks.edges(),
                network, row.workersPerMachine(), lower);
        double expected = row.pipelineSeconds();
        assertThat(optimum(blocks.ideals(), row.machines(), false, onStates)).isCloseTo(expected, within(1e-9 * expected));
        double everyIdeal = optimum(blocks.ideals(), row.machines(), false, onIdeals);
        if (BEYOND_PIPEDREAMS_STATES.contains(row.toString())) {
            assertThat(everyIdeal).isLessThan(expected * (1 - 1e-3));
        } else {
            assertThat(everyIdeal).isCloseTo(expected, within(1e-9 * expected));
        }
    }

    /** PipeDream's states are as many as its stage splits in the results file end at ({@code antichain_state_splits}). */
    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "gnmt"})
    void statesAreThoseOfPipeDreamsAntichainDag(String model) throws IOException {
        List<String> lines = Files.readAllLines(PipeDreamData.dataDir().resolve("pipedream-optimizer-results.tsv"));
        int states = lines.stream().skip(1).map(l -> l.split("\t")).filter(f -> f[0].equals(model))
                .mapToInt(f -> Integer.parseInt(f[9].substring(f[9].lastIndexOf(':') + 1).trim())).max().orElseThrow();
        assertThat(blocks(model).states().count()).isEqualTo(states);
    }

    /** The smallest pipeline time over the stage counts PipeDream allows for the row. */
    private static double optimum(Blocks blocks, PipeDreamData.Row row, ReplicaPartitioner.Cost cost) {
        return optimum(blocks.ideals(), row.machines(), row.straight(), cost);
    }

    private static double optimum(Ideals ideals, int machines, boolean straight, ReplicaPartitioner.Cost cost) {
        double best = Double.POSITIVE_INFINITY;
        for (int k = straight ? machines : 1; k <= Math.min(machines, ideals.blocks()); k++) {
            Optional<ReplicaPartitioner.Result> r = ReplicaPartitioner.minimizeBottleneck(ideals, k, machines, cost);
            if (r.isPresent()) {
                best = Math.min(best, r.get().bottleneck());
            }
        }
        return best;
    }

    static PipeDreamCost.Network network(PipeDreamData.Row row) {
        PipeDreamCost.Network network = new PipeDreamCost.Network(row.machines(), row.bandwidth(), row.countsActivations(),
                Double.POSITIVE_INFINITY);
        String[] flags = row.flags().split(" ");
        for (int i = 0; i + 1 < flags.length; i++) {
            if (flags[i].equals("-s")) {
                network = network.withMemoryBytes(Double.parseDouble(flags[i + 1]));
            }
        }
        return network;
    }

    static synchronized Blocks blocks(String model) throws IOException {
        Blocks cached = GRAPHS.get(model);
        if (cached == null) {
            cached = read(model);
            GRAPHS.put(model, cached);
        }
        return cached;
    }

    private static Blocks read(String model) throws IOException {
        ComputationGraph graph = GraphReader.read(PipeDreamData.dataDir().resolve(model + ".graph.txt"), GraphFormat.PIPEDREAM);
        List<OpNode> kept = new ArrayList<>();
        for (OpNode op : graph.topologicalOrder()) {
            boolean input = op.name().startsWith("Input");
            boolean unusedItem = op.name().startsWith("__getitem__") && graph.outgoing(op.id()).isEmpty();
            if (!input && !unusedItem) {
                kept.add(op);
            }
        }
        Map<String, Integer> index = new HashMap<>();
        int n = kept.size();
        double[] compute = new double[n];
        double[] parameters = new double[n];
        double[] activations = new double[n];
        for (int b = 0; b < n; b++) {
            OpNode op = kept.get(b);
            index.put(op.id(), b);
            MeasuredTime time = op.measured().values().iterator().next();
            compute[b] = time.forwardSeconds() + time.backwardSeconds();
            parameters[b] = op.parameterBytes();
            activations[b] = (double) op.activationBytes() * graph.measuredBatchSize();
        }
        List<int[]> edges = new ArrayList<>();
        for (TensorEdge t : graph.tensors()) {
            Integer from = index.get(t.from());
            Integer to = index.get(t.to());
            if (from != null && to != null) {
                edges.add(new int[] {from, to});
            }
        }
        Ideals ideals = Ideals.of(n, edges, 100_000).orElseThrow();
        // PipeDream starts its states at the first source in its node order, the file's
        int firstSource = graph.ops().stream().filter(op -> index.containsKey(op.id()))
                .filter(op -> graph.incoming(op.id()).stream().noneMatch(t -> index.containsKey(t.from())))
                .map(op -> index.get(op.id())).findFirst().orElseThrow();
        return new Blocks(new PipeDreamPartitioner.Profile(compute, parameters, activations), edges, ideals,
                new PipeDreamStates(ideals, edges, firstSource));
    }
}
