package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.solver.timefold.BlockPlacement;
import org.modelpar.solver.timefold.PlacerSettings;
import org.modelpar.solver.timefold.TimefoldPlacer;

/**
 * Turns a ranked configuration into a simulated candidate: placement (the DP split, or Timefold's when
 * asked and better), a plan whose stages each take the lightest recompute mode their memory allows, the
 * simulator's report and the memory check against capacity minus the margin ({@link OptionSearch} asks it for the
 * same placement with other plan options).
 */
final class CandidateBuilder {
    private final ComputationGraph graph;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final BlockSet blocks;
    private final ProblemBuilder problems;
    private final PlanRequest request;
    private final int zeroStage;
    private final String graphHash;
    private final String clusterHash;

    CandidateBuilder(ComputationGraph graph, ClusterSpec cluster, CostModel cost, BlockSet blocks,
                     ProblemBuilder problems, PlanRequest request, int zeroStage) {
        this.graph = graph;
        this.cluster = cluster;
        this.cost = cost;
        this.blocks = blocks;
        this.problems = problems;
        this.request = request;
        this.zeroStage = zeroStage;
        this.graphHash = GraphJson.contentHash(graph);
        this.clusterHash = ClusterJson.contentHash(cluster);
    }

    /**
     * Places the configuration by the DP split and, when asked, by Timefold's local search too (started from
     * that split, not from a second run of the program); returns
     * the placement whose simulated step is shorter (Timefold's score is an estimate, so its placement
     * must also win in simulation), preferring one that fits.
     */
    Candidate place(Estimate estimate, boolean useTimefold) {
        int[] dpStageOf = estimate.partition().stageOfBlock();
        Candidate dp = candidate(estimate, dpStageOf);
        if (!useTimefold) {
            return dp;
        }
        BlockPlacement tf = new TimefoldPlacer(blocks.isChain()
                ? PlacerSettings.defaults(request.seed()) : PlacerSettings.forDag(request.seed())).place(estimate.problem(), dpStageOf);
        if (!tf.feasible() || !everyStageUsed(tf.stageOfBlock(), estimate.configuration().stages())
                || tf.bottleneckNanos() >= (long) estimate.partition().bottleneck()
                || Arrays.equals(tf.stageOfBlock(), dpStageOf)) {
            return dp;
        }
        Candidate refined = candidate(estimate, tf.stageOfBlock());
        boolean refinedFits = refined.overflow().isEmpty();
        boolean dpFits = dp.overflow().isEmpty();
        if (refinedFits != dpFits) {
            return refinedFits ? refined : dp;
        }
        return refined.report().stepSeconds() < dp.report().stepSeconds() ? refined : dp;
    }

    private Candidate candidate(Estimate estimate, int[] stageOf) {
        return candidate(estimate, stageOf, baseOptions(estimate.configuration()));
    }

    /** The plan of the estimate's DP placement with the options a placed configuration is first simulated with. */
    PlacementPlan planned(Estimate estimate) {
        return planned(estimate.configuration(), estimate.partition().stageOfBlock(), baseOptions(estimate.configuration()));
    }

    /**
     * The options a placed configuration is first simulated with: those the request fixes, the rest on
     * (sequence parallelism with t above 1: it splits the LayerNorm and dropout work and their activations
     * over the tensor ranks for the same communication volume, Korthikanti et al. 2022; overlap hides the
     * all-reduce under the backward), the ZeRO stage the search placed them at and the configuration's
     * expert-parallel degree, so the finalists compare on equal options; {@link OptionSearch#variants} tries the others on the winner.
     */
    private PlanOptions baseOptions(Configuration c) {
        return PlanOptions.NONE.withSequenceParallel(c.tensor() > 1 && request.sequenceParallel().orElse(true))
                .withOverlapGradientReduce(request.overlapGradientReduce().orElse(true))
                .withZeroStage(zeroStage).withExpertParallel(c.expertParallel());
    }

    /**
     * The configuration placed as {@code stageOf}: with recomputation allowed, each stage in turn takes the
     * lightest mode the request allows (none, selective, full) with which every device still fits by the
     * simulator's memory model.
     */
    private Candidate candidate(Estimate estimate, int[] stageOf, PlanOptions options) {
        return simulate(estimate, stageOf, planned(estimate.configuration(), stageOf, options));
    }

    /** The plan of c placed as {@code stageOf} with the options, each stage in the lightest recompute mode that fits. */
    PlacementPlan planned(Configuration c, int[] stageOf, PlanOptions options) {
        Recompute[] modes = new Recompute[c.stages()];
        Arrays.fill(modes, c.recompute() ? Recompute.FULL : Recompute.NONE);
        PlacementPlan plan = plan(c, stageOf, modes, options);
        if (c.recompute()) {
            // the stages' profiles do not depend on their recompute modes: the plan is validated once
            PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
            for (int s = 0; s < c.stages(); s++) {
                for (Recompute lighter : request.recomputeModes().subList(0, request.recomputeModes().size() - 1)) {
                    modes[s] = lighter;
                    PlacementPlan without = plan(c, stageOf, modes, options);
                    PlanLayout lighterLayout = layout.withPlan(without);
                    if (worstOverflow(MemoryModel.perDevice(lighterLayout)).isEmpty()) {
                        plan = without;
                        break;
                    }
                    modes[s] = Recompute.FULL;
                }
            }
        }
        return plan;
    }

    /** The plan simulated, with its worst overflow of capacity minus the margin. */
    Candidate simulate(Estimate estimate, int[] stageOf, PlacementPlan plan) {
        SimulationReport report = Simulator.simulate(graph, cluster, plan, SimulationOptions.defaults().withCostModel(cost));
        Map<String, MemoryBreakdown> peaks = new java.util.LinkedHashMap<>();
        report.devices().forEach((id, d) -> peaks.put(id, d.memory()));
        Optional<Candidate.Overflow> overflow = worstOverflow(peaks);
        if (overflow.isEmpty() && report.outOfMemory().isPresent()) {
            var oom = report.outOfMemory().get();
            overflow = Optional.of(new Candidate.Overflow(oom.device(), oom.neededBytes() - oom.capacityBytes(),
                    oom.neededBytes(), oom.capacityBytes()));
        }
        return new Candidate(estimate.configuration(), plan, report, overflow, estimate, stageOf);
    }

    private static boolean everyStageUsed(int[] stageOf, int stages) {
        boolean[] used = new boolean[stages];
        for (int s : stageOf) {
            used[s] = true;
        }
        for (boolean u : used) {
            if (!u) {
                return false;
            }
        }
        return true;
    }

    /** The device furthest over capacity minus margin, if any. */
    Optional<Candidate.Overflow> worstOverflow(Map<String, MemoryBreakdown> peaks) {
        Candidate.Overflow worst = null;
        for (Map.Entry<String, MemoryBreakdown> e : peaks.entrySet()) {
            ClusterDevice d = cluster.device(e.getKey()).orElseThrow();
            long limit = limitBytes(d);
            long over = e.getValue().total() - limit;
            if (over > 0 && (worst == null || over > worst.bytesOver())) {
                worst = new Candidate.Overflow(d.id(), over, e.getValue().total(), limit);
            }
        }
        return Optional.ofNullable(worst);
    }

    long limitBytes(ClusterDevice d) {
        return request.usableBytes(d.profile().memoryBytes());
    }

    PlacementPlan plan(Configuration c, int[] stageOfBlock, Recompute[] recompute, PlanOptions options) {
        List<List<String>> ops = new ArrayList<>();
        for (int s = 0; s < c.stages(); s++) {
            ops.add(new ArrayList<>());
        }
        for (int b = 0; b < blocks.size(); b++) {
            ops.get(stageOfBlock[b]).addAll(blocks.opsOfBlock().get(b));
        }
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < c.stages(); s++) {
            stages.add(new Stage(s, problems.stageDevices(c, s).stream().map(ClusterDevice::id).toList(), ops.get(s),
                    recompute[s]));
        }
        return new PlacementPlan(graph.name(), graphHash, cluster.name(), clusterHash, request.precision(),
                request.optimizer(), request.globalBatchSize(), c.microBatchSize(), c.microBatches(), c.schedule(),
                c.tensor(), stages, options, c.virtualStages());
    }
}
