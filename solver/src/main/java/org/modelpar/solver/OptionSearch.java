package org.modelpar.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.program.DeviceProgram;

/**
 * The winner's placement with the plan options the request leaves open: first every ZeRO stage with each combination
 * of sequence parallelism and gradient-reduce overlap, then, on the fastest of those, those two switched one at a
 * time. Each is planned (each stage's recompute mode chosen again, as the options change the memory) and simulated
 * unless a lower bound of its step is not below the best simulated step that fits ({@link Pruned}; a tie keeps the
 * earlier candidate, so pruning never changes the winner): no step is shorter than
 * {@link StepLowerBound#networkSeconds}, which rules out ZeRO stage 3 where gathering the parameters before every
 * forward and backward of every micro-batch outweighs the step (and ZeRO stage 2 where reduce-scattering the
 * gradients after every micro-batch's backward does).
 */
final class OptionSearch {
    /** What a round simulated, in the order tried, and what it pruned. */
    record Outcome(List<Candidate> simulated, List<Pruned> pruned) {
    }

    private final ComputationGraph graph;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final CandidateBuilder candidates;
    private final PlanRequest request;
    private final boolean prunes;

    OptionSearch(ComputationGraph graph, ClusterSpec cluster, CostModel cost, CandidateBuilder candidates,
                 PlanRequest request, boolean prunes) {
        this.graph = graph;
        this.cluster = cluster;
        this.cost = cost;
        this.candidates = candidates;
        this.request = request;
        this.prunes = prunes;
    }

    /** The two rounds tried on the winner, in order: {@link #zeroStages} then {@link #variants}. */
    enum Round {
        ZERO_STAGES("the winner at every ZeRO stage with each setting of the plan options"),
        VARIANTS("the winner with sequence parallelism or gradient-reduce overlap switched");

        private final String words;

        Round(String words) {
            this.words = words;
        }

        /** What the round tries, in words (for the explanation when a time limit skips it). */
        String words() {
            return words;
        }
    }

    /** The options {@code round} tries on {@code winner}, in order; empty when it tries none. */
    List<PlanOptions> options(Round round, Candidate winner) {
        return round == Round.ZERO_STAGES ? zeroStages(winner) : variants(winner);
    }

    /**
     * The winner at every ZeRO stage with each combination of the other open options ({@link #withVariants}), when the
     * request leaves the stage open ({@link PlanRequest#searchesZero}) and a
     * stage has several replicas to shard over; tried before {@link #variants}, so those switch one option of the
     * ZeRO winner. Not for a winner that spreads its experts (the simulator models ZeRO or expert parallelism, not
     * both; the {@link Planner} searches ZeRO with every expert on every replica apart).
     *
     * @param winner the fastest candidate so far; it fits
     */
    private List<PlanOptions> zeroStages(Candidate winner) {
        List<PlanOptions> options = new ArrayList<>();
        PlanOptions base = winner.plan().options();
        boolean replicated = winner.plan().stages().stream().anyMatch(s -> s.devices().size() > winner.configuration().tensor());
        boolean searched = replicated && request.searchesZero() && base.expertParallel() == 1;
        for (int zero : searched ? request.zeroStages(winner.plan().schedule()) : List.<Integer>of()) {
            withVariants(winner, base.withZeroStage(zero)).stream().filter(o -> !o.equals(base)).forEach(options::add);
        }
        return options;
    }

    /**
     * {@code at} and, where the request leaves them open, with sequence parallelism (t above 1) and overlapped gradient
     * reduction switched, alone and together: the ZeRO stage and these options interact (a sharded stage reduce-scatters
     * where an unsharded one all-reduces, and overlapping either may lose on a shared host), so a stage is tried with
     * each combination, not only with the winner's.
     */
    private List<PlanOptions> withVariants(Candidate winner, PlanOptions at) {
        List<PlanOptions> out = new ArrayList<>(List.of(at));
        if (opensSequenceParallel(winner)) {
            out.add(at.withSequenceParallel(!at.sequenceParallel()));
        }
        if (opensOverlap()) {
            for (PlanOptions o : List.copyOf(out)) {
                out.add(o.withOverlapGradientReduce(!o.overlapGradientReduce()));
            }
        }
        return out;
    }

    /**
     * The winner with each option the request leaves open switched, one at a time: sequence parallelism (with t
     * above 1) and overlapped gradient reduction.
     *
     * @param winner the fastest candidate so far; it fits
     */
    private List<PlanOptions> variants(Candidate winner) {
        List<PlanOptions> options = new ArrayList<>();
        PlanOptions base = winner.plan().options();
        if (opensSequenceParallel(winner)) {
            options.add(base.withSequenceParallel(!base.sequenceParallel()));
        }
        if (opensOverlap()) {
            options.add(base.withOverlapGradientReduce(!base.overlapGradientReduce()));
        }
        return options;
    }

    /** Whether the search switches sequence parallelism on {@code winner}: the request leaves it open and t is above 1. */
    private boolean opensSequenceParallel(Candidate winner) {
        return winner.configuration().tensor() > 1 && request.sequenceParallel().isEmpty();
    }

    /** Whether the search switches gradient-reduce overlap: the request leaves it open. */
    private boolean opensOverlap() {
        return request.overlapGradientReduce().isEmpty();
    }

    /** The winner's placement with each of {@code options} planned and simulated unless pruned, in order. */
    Outcome run(Candidate winner, List<PlanOptions> options) {
        List<Candidate> simulated = new ArrayList<>();
        List<Pruned> pruned = new ArrayList<>();
        double bestSeconds = winner.stepSeconds();
        for (PlanOptions o : options) {
            PlacementPlan plan = candidates.planned(winner.configuration(), winner.stageOfBlock(), o);
            Optional<Candidate> c = simulatedUnlessPruned(winner.estimate(), plan, bestSeconds, pruned);
            if (c.isPresent()) {
                simulated.add(c.get());
                bestSeconds = c.get().fits() ? Math.min(bestSeconds, c.get().stepSeconds()) : bestSeconds;
            }
        }
        return new Outcome(simulated, pruned);
    }

    /**
     * The plan of the estimate's configuration simulated, or (when this search prunes) empty with the reason added
     * to {@code pruned} when a lower bound of its step is not below {@code bestSeconds}: {@link StepLowerBound}'s
     * pipeline or network bound.
     */
    Optional<Candidate> simulatedUnlessPruned(Estimate estimate, PlacementPlan plan, double bestSeconds,
                                              List<Pruned> pruned) {
        Optional<Pruned> skip = prunes ? pruned(estimate.configuration(), plan, bestSeconds) : Optional.empty();
        skip.ifPresent(pruned::add);
        return skip.isPresent() ? Optional.empty()
                : Optional.of(candidates.simulate(estimate, estimate.partition().stageOfBlock(), plan));
    }

    private Optional<Pruned> pruned(Configuration c, PlacementPlan plan, double bestSeconds) {
        String label = Candidate.label(c, plan);
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        List<DeviceProgram> programs = StepLowerBound.rankZero(layout); // lowered once for both bounds
        double compute = StepLowerBound.pipelineSeconds(layout, programs, cluster, cost);
        double network = StepLowerBound.networkSeconds(programs, cluster, cost);
        if (Math.max(compute, network) < bestSeconds) {
            return Optional.empty();
        }
        return Optional.of(compute >= network
                ? new Pruned(label, compute, bestSeconds, "its compute with the pipeline's fill and drain")
                : new Pruned(label, network, bestSeconds, "its data-parallel collectives through the busiest port at full bandwidth"));
    }
}
