package org.modelpar.solver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.partition.ChainPartition;
import org.modelpar.solver.partition.DagCosts;
import org.modelpar.solver.partition.MetfScheduler;
import org.modelpar.solver.partition.SeriesChain;
import org.modelpar.solver.timefold.Block;
import org.modelpar.solver.timefold.BlockLink;
import org.modelpar.solver.timefold.ChainSeed;
import org.modelpar.solver.timefold.PlacementProblem;

/**
 * DAGs: modelpar's plan vs Baechi's m-ETF placement and vs the chain-compressed dynamic program, same
 * cluster (one DGX A100 node, pipeline over its 8 GPUs), batch and micro-batches; every plan simulated.
 * Prints the ratios (target &lt;= 0.90). Also the search time of a 10,000-op random DAG on 64 GPUs.
 */
@Tag("slow")
class DagBenchmark {
    private static final int STAGES = 8;

    @Test
    void dagsAgainstMetfAndChainDp() {
        List<ComputationGraph> graphs = List.of(ModelZoo.build("inception-v3"),
                GraphReader.read(PipeDreamOptimalityTest.data().resolve("pipedream/gnmt.graph.txt"), GraphFormat.PIPEDREAM),
                RandomDags.layered(1, 40, 6), RandomDags.layered(2, 60, 4));
        ClusterSpec cluster = Clusters.resolve("dgx-a100");
        for (ComputationGraph g : graphs) {
            int batch = 64;
            PlanRequest request = PlanRequest.of(batch).withSchedule(java.util.Optional.of(Schedule.ONE_F_ONE_B))
                    .withDegrees(OptionalInt.of(STAGES), OptionalInt.of(1), OptionalInt.of(1), OptionalInt.of(16));
            PlanResult ours = new Planner().plan(g, cluster, request);
            Configuration c = new Configuration(STAGES, 1, 1, batch / 16, 16, Schedule.ONE_F_ONE_B,
                    ours.best().plan().stages().stream().anyMatch(s -> s.recompute()));
            BlockSet blocks = StagePlacer.of(g, request.maxBlocks()).blocks();
            RooflineCostModel cost = new RooflineCostModel();
            ProblemBuilder builder = new ProblemBuilder(cluster, cost, blocks, new BlockProbe(g, cluster, cost, blocks), request);
            CandidateBuilder plans = new CandidateBuilder(g, cluster, cost, blocks, builder, request, 0);
            PlacementProblem problem = builder.build(c);
            Recompute[] recompute = new Recompute[STAGES];
            Arrays.fill(recompute, Recompute.of(c.recompute()));
            SeriesChain series = SeriesChain.of(problem.blocks().size(),
                    problem.links().stream().map(l -> new int[] {l.from(), l.to()}).toList());
            ChainPartition compressed = series.minimizeBottleneck(STAGES, ChainSeed.stageCost(problem)).orElseThrow();
            Configuration cc = new Configuration(compressed.stages(), 1, 1, c.microBatchSize(), c.microBatches(), c.schedule(), c.recompute());
            double dp = Simulator.simulate(g, cluster, plans.plan(cc, compressed.stageOfBlock(),
                    Arrays.copyOf(recompute, compressed.stages()), PlanOptions.NONE)).stepSeconds();
            double fineDp = Simulator.simulate(g, cluster, plans.plan(c, ChainSeed.optimal(problem).orElseThrow().stageOfBlock(),
                    recompute, PlanOptions.NONE)).stepSeconds();
            int[] metf = metfStages(problem);
            int used = Arrays.stream(metf).max().orElseThrow() + 1;
            Configuration cm = new Configuration(used, 1, 1, c.microBatchSize(), c.microBatches(), c.schedule(), c.recompute());
            double metfStep = Simulator.simulate(g, cluster, plans.plan(cm, metf, Arrays.copyOf(recompute, used), PlanOptions.NONE)).stepSeconds();
            double step = ours.report().stepSeconds();
            System.out.printf("BENCH dag %s (%d blocks, %d series components): modelpar %.4f s, m-ETF %.4f s (%d stages),"
                            + " chain-compressed DP %.4f s (%d stages), DP over modelpar's block order %.4f s;"
                            + " ratio vs m-ETF %.4f, vs chain-compressed DP %.4f, vs block-order DP %.4f%n",
                    g.name(), blocks.size(), series.components(), step, metfStep, used, dp, compressed.stages(), fineDp,
                    step / metfStep, step / dp, step / fineDp);
            assertThat(step).isLessThanOrEqualTo(fineDp * 1.0001);
        }
    }

    /** m-ETF over blocks and stage devices, then made a pipeline: stages ordered by first block, pushed forward along tensors. */
    static int[] metfStages(PlacementProblem problem) {
        int n = problem.blocks().size();
        int k = problem.stages().size();
        double[][] compute = new double[n][k];
        long[] memory = new long[n];
        for (int b = 0; b < n; b++) {
            Block block = problem.blocks().get(b);
            for (int s = 0; s < k; s++) {
                compute[b][s] = block.computeNanos()[s] * 1e-9;
            }
            memory[b] = block.memoryBytes()[0];
        }
        List<DagCosts.Edge> edges = new ArrayList<>();
        for (BlockLink l : problem.links()) {
            edges.add(new DagCosts.Edge(l.from(), l.to(), l.bytes()));
        }
        long[] capacity = problem.stages().stream().mapToLong(s -> s.capacityBytes()).toArray();
        DagCosts dag = new DagCosts(compute, memory, edges, capacity,
                (bytes, a, b) -> problem.stages().get(b).inbound().roundTripNanos(bytes) * 0.5e-9);
        int[] device = MetfScheduler.place(dag).deviceOfTask();
        int[] rank = new int[k];
        Arrays.fill(rank, -1);
        int next = 0;
        for (int b = 0; b < n; b++) {
            if (rank[device[b]] < 0) {
                rank[device[b]] = next++;
            }
        }
        int[] stage = new int[n];
        for (int b = 0; b < n; b++) {
            stage[b] = rank[device[b]];
        }
        for (BlockLink l : problem.links()) {
            stage[l.to()] = Math.max(stage[l.to()], stage[l.from()]);
        }
        // compact: drop stages that lost all their blocks
        int[] remap = new int[k];
        Arrays.fill(remap, -1);
        int used = 0;
        for (int b = 0; b < n; b++) {
            if (remap[stage[b]] < 0) {
                remap[stage[b]] = used++;
            }
        }
        for (int b = 0; b < n; b++) {
            stage[b] = remap[stage[b]];
        }
        return stage;
    }

    @Test
    void tenThousandOpDagOn64Gpus() {
        ComputationGraph g = RandomDags.layered(3, 500, 20);
        assertThat(g.opCount()).isEqualTo(10_000);
        long start = System.nanoTime();
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        PlanResult r = new Planner().plan(g, Clusters.resolve("dgx-a100:8"), PlanRequest.of(512));
        double seconds = (System.nanoTime() - start) * 1e-9;
        double cpu = (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) * 1e-9;
        System.out.printf("BENCH search-time random DAG 10000 ops on 64 GPUs: %.1f s (ratio to 60 s budget %.3f; %.1f s on"
                        + " this thread's CPU), %s; %s%n", seconds, seconds / 60, cpu, r.best().explanation().lines().get(0),
                r.best().explanation().lines().get(1));
        assertThat(seconds).isLessThan(60);
    }
}
