package org.modelpar.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.SimulationReport;

/**
 * Against experts: every GPT row of the Megatron-LM weak-scaling table (../shared/data/megatron), modelpar's
 * searched plan vs the published (t, p, d) on {@code dgx-a100:N}, both simulated (the published degrees get
 * the best micro-batch, schedule and recomputation modelpar finds for them). Ratio of throughputs, target &gt;= 1.
 * And heterogeneous: megatron-18b on mixed-a100-v100 vs the A100 node alone and vs a plan made as if every
 * device were an A100.
 */
@Tag("slow")
class MegatronBenchmark {
    /** preset, t, p, GPUs, d, global batch. */
    private static final Object[][] ROWS = {
            {"megatron-1.7b", 1, 1, 32, 32, 512}, {"megatron-3.6b", 2, 1, 64, 32, 512},
            {"megatron-7.5b", 4, 1, 128, 32, 512}, {"megatron-18b", 8, 1, 256, 32, 1024},
            {"megatron-39b", 8, 2, 512, 32, 1536}, {"megatron-76b", 8, 4, 1024, 32, 1792},
            {"megatron-145b", 8, 8, 1536, 24, 2304}, {"megatron-310b", 8, 16, 1920, 15, 2160},
            {"megatron-530b", 8, 35, 2520, 9, 2520}, {"megatron-1t", 8, 64, 3072, 6, 3072}};

    @Test
    void weakScalingRows() {
        int rows = Integer.getInteger("megatron.rows", ROWS.length);
        for (Object[] row : ROWS) {
            if (rows-- <= 0) {
                break;
            }
            String preset = (String) row[0];
            int t = (int) row[1];
            int p = (int) row[2];
            int gpus = (int) row[3];
            int d = (int) row[4];
            int batch = (int) row[5];
            ComputationGraph g = ModelZoo.build(preset);
            ClusterSpec cluster = Clusters.resolve("dgx-a100:" + gpus / 8);
            PlanRequest request = PlanRequest.of(batch);
            try {
                PlanResult published = new Planner().plan(g, cluster, request.withDegrees(OptionalInt.of(p),
                        OptionalInt.of(t), OptionalInt.of(d), OptionalInt.empty()));
                PlanResult ours = new Planner().plan(g, cluster, request);
                System.out.printf("BENCH megatron %s on %d GPUs: modelpar %.2f samples/s (%s, %.1f s search),"
                                + " published t=%d p=%d d=%d %.2f samples/s; ratio %.3f%n", preset, gpus,
                        ours.report().samplesPerSecond(), ours.best().explanation().lines().get(0), ours.searchSeconds(), t, p, d,
                        published.report().samplesPerSecond(),
                        ours.report().samplesPerSecond() / published.report().samplesPerSecond());
            } catch (InfeasibleException e) {
                System.out.printf("BENCH megatron %s on %d GPUs: infeasible: %s%n", preset, gpus, e.getMessage());
            }
        }
    }

    @Test
    void heterogeneousMegatron18b() {
        ComputationGraph g = ModelZoo.build("megatron-18b");
        ClusterSpec mixed = Clusters.resolve("mixed-a100-v100");
        PlanRequest request = PlanRequest.of(64);
        PlanResult ours = new Planner().plan(g, mixed, request);
        List<ClusterDevice> a100 = mixed.nodes().values().iterator().next();
        String node = a100.get(0).node();
        ClusterSpec a100Only = new ClusterSpec("a100-node-only", a100, mixed.linksOf(node).intraNode(),
                mixed.linksOf(node).interNode());
        PlanResult onlyA100 = new Planner().plan(g, a100Only, request);
        // plan as if every device were an A100, then simulate that plan on the real cluster
        List<ClusterDevice> pretend = new ArrayList<>();
        for (ClusterDevice dev : mixed.devices()) {
            pretend.add(new ClusterDevice(dev.id(), dev.node(), a100.get(0).profile()));
        }
        ClusterSpec blind = new ClusterSpec("mixed-as-a100", pretend, mixed.intraNode(), mixed.interNode(),
                Map.copyOf(mixed.nodeLinks()));
        PlanResult blindPlan = new Planner().plan(g, blind, request);
        SimulationReport blindOnReal = Simulator.simulate(g, mixed, blindPlan.best().plan());
        System.out.printf("BENCH hetero megatron-18b on mixed-a100-v100: modelpar %.3f samples/s (%s); A100 node only"
                        + " %.3f samples/s -> ratio %.3f; device-blind plan %.3f samples/s%s -> ratio %.3f%n",
                ours.report().samplesPerSecond(), ours.best().explanation().lines().get(0),
                onlyA100.report().samplesPerSecond(), ours.report().samplesPerSecond() / onlyA100.report().samplesPerSecond(),
                blindOnReal.samplesPerSecond(), blindOnReal.fits() ? "" : " (out of memory on " + blindOnReal.outOfMemory().get().device() + ")",
                ours.report().samplesPerSecond() / blindOnReal.samplesPerSecond());
    }
}
