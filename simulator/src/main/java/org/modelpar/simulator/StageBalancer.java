package org.modelpar.simulator;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.OpWork;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.Stage;

/**
 * Turns a {@link ParallelConfig} into a plan: the graph's ops in topological order are cut into p (p x v with
 * v virtual stages) contiguous stages minimising the slowest stage's forward + backward seconds (the linear partition
 * problem, solved exactly by dynamic programming over prefix sums: Skiena, "The Algorithm Design Manual",
 * section 8.5). Devices are taken in cluster order: stage i gets the next t x d devices, replica r of it the
 * t consecutive devices {@code [r t, (r+1) t)}, so tensor-parallel groups stay within a node when t divides
 * the node size (Megatron-LM's layout). With v virtual stages, stage s runs on the devices of stage
 * {@code s mod p} (Megatron-LM's model chunks: device group g holds chunks g, g + p, ...).
 */
public final class StageBalancer {
    private StageBalancer() {
    }

    /** A plan for the configuration on the first p x t x d devices of the cluster. */
    public static PlacementPlan plan(ComputationGraph graph, ClusterSpec cluster, ParallelConfig config, CostModel cost) {
        if (config.deviceCount() > cluster.devices().size()) {
            throw new PlanException("pp " + config.pipeline() + " x tp " + config.tensor() + " x dp " + config.data()
                    + " needs " + config.deviceCount() + " devices, cluster '" + cluster.name() + "' has "
                    + cluster.devices().size());
        }
        List<OpNode> ops = graph.topologicalOrder();
        int stageCount = config.pipeline() * config.virtualStages();
        if (ops.size() < stageCount) {
            throw new PlanException("pp " + config.pipeline() + (config.virtualStages() > 1 ? " x virtual stages "
                    + config.virtualStages() : "") + " exceeds the " + ops.size() + " ops of graph '" + graph.name() + "'");
        }
        ClusterDevice first = cluster.devices().get(0);
        OpWork work = new OpWork(config.replicaMicroBatch(), config.tensor(), config.precision(), graph.measuredBatchSize());
        double[] weights = new double[ops.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = cost.forwardSeconds(ops.get(i), first.profile(), work) + cost.backwardSeconds(ops.get(i), first.profile(), work);
        }
        int[] cuts = split(weights, stageCount);
        List<Stage> stages = new ArrayList<>();
        int perStage = config.tensor() * config.data();
        for (int s = 0; s < stageCount; s++) {
            int group = s % config.pipeline();
            List<String> devices = cluster.devices().subList(group * perStage, (group + 1) * perStage).stream()
                    .map(ClusterDevice::id).toList();
            List<String> stageOps = ops.subList(cuts[s], cuts[s + 1]).stream().map(OpNode::id).toList();
            stages.add(new Stage(s, devices, stageOps, config.recompute()));
        }
        int b = config.replicaMicroBatch() * config.data();
        return new PlacementPlan(graph.name(), GraphJson.contentHash(graph), cluster.name(), ClusterJson.contentHash(cluster), config.precision(), config.optimizer(),
                b * config.microBatches(), b, config.microBatches(), config.schedule(), config.tensor(), stages,
                PlanOptions.NONE, config.virtualStages());
    }

    /**
     * Cuts {@code weights} into {@code parts} non-empty contiguous runs minimising the largest run sum.
     * Returns {@code parts + 1} boundaries: run s is {@code [cuts[s], cuts[s+1])}. Ties prefer earlier cuts.
     */
    public static int[] split(double[] weights, int parts) {
        int n = weights.length;
        if (parts < 1 || parts > n) {
            throw new PlanException("cannot cut " + n + " ops into " + parts + " non-empty stages");
        }
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + weights[i];
        }
        double[][] best = new double[parts + 1][n + 1];
        int[][] from = new int[parts + 1][n + 1];
        for (int j = 1; j <= n; j++) {
            best[1][j] = prefix[j];
        }
        for (int k = 2; k <= parts; k++) {
            for (int j = k; j <= n; j++) {
                int i = bestCut(best[k - 1], prefix, k - 1, j);
                best[k][j] = Math.max(best[k - 1][i], prefix[j] - prefix[i]);
                from[k][j] = i;
            }
        }
        int[] cuts = new int[parts + 1];
        cuts[parts] = n;
        for (int k = parts; k > 1; k--) {
            cuts[k - 1] = from[k][cuts[k]];
        }
        return cuts;
    }

    /**
     * The earliest i in {@code [lo, j)} minimising {@code max(previous[i], prefix[j] - prefix[i])}, by binary
     * search: with non-negative weights {@code previous} is non-decreasing and {@code prefix[j] - prefix[i]}
     * non-increasing in i (also in floating point, as differences of a non-decreasing sequence), so the
     * minimum sits where they cross. O(log n) instead of a scan of all i, same answer.
     */
    private static int bestCut(double[] previous, double[] prefix, int lo, int j) {
        int a = lo;
        int b = j; // first i in [lo, j) with previous[i] >= prefix[j] - prefix[i], or j if none
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (previous[mid] >= prefix[j] - prefix[mid]) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        int cross = a;
        double atCross = cross < j ? previous[cross] : Double.POSITIVE_INFINITY;
        double before = cross > lo ? prefix[j] - prefix[cross - 1] : Double.POSITIVE_INFINITY;
        if (before > atCross) {
            return cross;
        }
        // before the crossing the value is prefix[j] - prefix[i], non-increasing: the earliest i reaching `before`
        a = lo;
        b = cross - 1;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (prefix[j] - prefix[mid] <= before) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        return a;
    }
}
