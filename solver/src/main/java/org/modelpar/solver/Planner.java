package org.modelpar.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.PlacementProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The solver's facade: finds the plan with the shortest simulated step that fits every device's memory
 * (minus the safety margin), and explains it.
 *
 * <p>Outer search: every configuration of {@link ConfigurationSpace} is placed by the exact dynamic
 * program over the op blocks ({@link StagePlacer}: over the ideals of a DAG, the prefixes of a chain; costs
 * from the simulator), also with uneven replicas per stage (PipeDream's hybrid), and ranked by its
 * estimated step ({@link Configuration#stepSlots} x bottleneck); the most promising one is placed again by Timefold where
 * the program is not exact or the cluster is heterogeneous, each stage takes the lightest recompute mode
 * (none, selective, full) its memory allows, and each is simulated; the fastest that fits is tried as
 * interleaved 1F1B ({@link Interleavings}), the fastest of those is simulated again at every ZeRO stage with each
 * setting of sequence parallelism and gradient-reduce overlap, and the fastest of those with each switched. The
 * fastest that fits wins. A finalist after the first, a ZeRO stage or a plan option is not simulated when a lower
 * bound of its step ({@link StepLowerBound}, {@link OptionSearch}) is not below the best simulated step that fits:
 * it could not have won. A configuration whose blocks' training state alone exceeds its stages' memory
 * ({@link StateLowerBound#overflows}) is not placed. When nothing fits and the request leaves ZeRO open, the
 * search runs again with the placement priced at ZeRO stage 1, 2, then 3 (those the runtime trains: {@link RuntimeCheck};
 * Rajbhandari et al., SC 2020),
 * so a plan that fits only with ZeRO is found. When the winner spreads its experts (a searched degree) and ZeRO
 * is open, the search with dense experts runs again from ZeRO stage 1 and both rankings merge.
 *
 * <p>Determinism: configurations are tried in a fixed order (by lower bound, then enumeration order), every
 * enumeration is bounded by counts and Timefold by steps and moves, so the same inputs and seed give the same plan
 * on any machine: without a time limit the planner reads its {@link SearchClock} only to report the search's
 * duration. With one ({@link PlanRequest#timeLimit}, a {@link Deadline}), once it has passed and a configuration
 * fits, the search places no more configurations, simulates no more finalists, skips Timefold's refinement,
 * interleaving, the other ZeRO stages and plan options, and the explanation says which of these it skipped
 * ({@link PlanResult#completed()} false): that plan depends on machine speed.
 */
public final class Planner {
    private static final Logger LOG = LoggerFactory.getLogger(Planner.class);
    /** The highest ZeRO stage (3 also shards the parameters). */
    static final int MOST_ZERO_STAGE = 3;

    /** Fitting candidates first, then by simulated step; ties keep the order they were simulated in. */
    static final Comparator<Candidate> CANDIDATE_ORDER =
            Comparator.comparing((Candidate c) -> !c.fits()).thenComparingDouble(Candidate::stepSeconds);

    private final CostModel cost;
    private final boolean prunes;
    private final SearchClock clock;

    public Planner() {
        this(SimulationOptions.defaults().costModel());
    }

    public Planner(CostModel cost) {
        this(cost, true);
    }

    /**
     * @param prunes whether candidates whose lower bound is not below the best simulated step are skipped
     *               ({@link OptionSearch}), configurations whose state cannot fit are not placed and searches that
     *               cannot fit not run ({@link StateLowerBound}), and hybrids are sought only where they could be
     *               finalists ({@link Finalists}); the winner is the same either way, without only for tests to show it
     */
    Planner(CostModel cost, boolean prunes) {
        this(cost, prunes, SearchClock.system());
    }

    private Planner(CostModel cost, boolean prunes, SearchClock clock) {
        this.cost = cost;
        this.prunes = prunes;
        this.clock = clock;
    }

    /** This planner reading {@code c} for the search's duration and its time limit, if the request has one. */
    public Planner withClock(SearchClock c) {
        return new Planner(cost, prunes, c);
    }

    /**
     * @throws InfeasibleException when no configuration fits, with the smallest memory a plan needs and what would fit
     * @throws PlanException        when no configuration matches the batch and the fixed degrees
     */
    public PlanResult plan(ComputationGraph graph, ClusterSpec cluster, PlanRequest request) {
        return plan(graph, cluster, request, SearchProgress.NONE);
    }

    public PlanResult plan(ComputationGraph graph, ClusterSpec cluster, PlanRequest request, SearchProgress progress) {
        return plan(graph, cluster, request, progress, Optional.empty());
    }

    /**
     * Re-plans from an earlier plan ({@code plan --from}): the earlier plan's configuration, when it is still
     * possible for this cluster and batch, is placed first, so its step is the incumbent that prunes the
     * rest of the search; the result is still the best configuration found.
     */
    public PlanResult plan(ComputationGraph graph, ClusterSpec cluster, PlanRequest request, SearchProgress progress,
                           Optional<PlacementPlan> startFrom) {
        request.expertParallel().ifPresent(e -> PlanValidator.checkExpertParallel(graph, e));
        long start = clock.nanos();
        SearchRun run = new SearchRun(SharedBlocks.of(graph, cluster, cost, request), Deadline.start(clock, request.timeLimit()),
                progress, startFrom);
        Searched found = request.searchesZero() ? firstFitting(graph, cluster, run, request, 0)
                : search(graph, cluster, run, request, request.zeroStage().orElse(0), true);
        if (request.searchesZero() && found.best().plan().options().expertParallel() > 1) { // the simulator models one of them
            if (run.deadline().expired()) {
                found = found.skipping("the search without expert parallelism at ZeRO stages 1-3");
            } else {
                try {
                    found = found.and(firstFitting(graph, cluster, run, request.withSharding(OptionalInt.empty(), OptionalInt.of(1)), 1));
                } catch (InfeasibleException e) {
                    LOG.debug("no plan without expert parallelism fits with ZeRO: {}", e.getMessage());
                }
            }
        }
        return Explainer.result(graph, cluster, cost, request, found, (clock.nanos() - start) * 1e-9);
    }

    /**
     * The search at ZeRO stage {@code from}, then (when nothing fits) at each higher stage the runtime trains ({@link
     * PlanRequest#zeroStages}, with the fixed schedule or 1F1B); not at those when the training state alone exceeds all usable memory ({@link StateLowerBound}).
     *
     * @throws InfeasibleException with the numbers of stage {@code from} when no stage fits
     */
    private Searched firstFitting(ComputationGraph graph, ClusterSpec cluster, SearchRun run, PlanRequest request, int from) {
        List<Integer> stages = request.zeroStages(request.schedule().orElse(Schedule.ONE_F_ONE_B)).stream().filter(z -> z >= from).toList();
        // the searches at the higher stages only answer whether one fits: none does when the state alone overflows
        boolean higher = !prunes || !StateLowerBound.fitsNowhere(graph, cluster, request);
        Optional<InfeasibleException> first = Optional.empty();
        for (int zero : higher ? stages : stages.subList(0, Math.min(1, stages.size()))) {
            try {
                return search(graph, cluster, run, request, zero, zero == stages.get(0));
            } catch (InfeasibleException e) {
                first = first.or(() -> Optional.of(e));
            }
        }
        throw Infeasibility.atEveryZeroStage(first, stages);
    }

    /**
     * The search with every configuration placed at ZeRO stage {@code zero} (its memory sharded so in the
     * dynamic program's limits); the winner also tries the other stages when the request leaves ZeRO open.
     *
     * @param explains whether, when nothing fits, the exception says what each configuration needs (the one the
     *                 user sees); the memory a configuration that fits no placement needs is otherwise worked out only
     *                 for the first {@link PlanRequest#runnerUps} of them, the most the explanation lists
     */
    private Searched search(ComputationGraph graph, ClusterSpec cluster, SearchRun run, PlanRequest open, int zero,
                            boolean explains) {
        PlanRequest request = open.withSharding(OptionalInt.of(zero), open.expertParallel());
        SharedBlocks shared = run.blocks();
        Deadline deadline = run.deadline();
        StagePlacer placer = shared.placer();
        BlockSet blocks = placer.blocks();
        int[] pinned = blocks.pinnedStages(request.pins());
        ProblemBuilder builder = new ProblemBuilder(cluster, cost, blocks, shared.probe(), request);
        StateLowerBound state = new StateLowerBound(graph, blocks, cluster, request);
        List<Configuration> configs = ConfigurationSpace.enumerate(cluster, request, blocks.size(),
                ConfigurationSpace.expertsPerLayer(graph));
        if (configs.isEmpty()) {
            throw new PlanException(ConfigurationSpace.whyNone(cluster, request, blocks.size()).orElse("globalBatchSize "
                    + request.globalBatchSize() + ": no configuration of " + cluster.devices().size() + " devices fits it"
                    + " (p x t x d must use all devices or a halving of them, d x micro-batches must divide the batch)"));
        }
        // most promising first (lowest lower bound), so the bound prunes the rest; ties keep enumeration order
        Map<Configuration, Double> bound = new HashMap<>();
        configs.forEach(c -> bound.put(c, builder.lowerBoundSeconds(c)));
        configs = new ArrayList<>(configs);
        configs.sort(Comparator.comparingDouble(bound::get));
        List<Configuration> ordered = configs;
        // an interleaved earlier plan is possible when its 1F1B form is (interleaving is tried on the finalists)
        run.startFrom().map(Configuration::of).filter(c -> ordered.remove(c) || ordered.contains(c.withVirtualStages(1)))
                .ifPresent(c -> {
                    ordered.add(0, c);
                    bound.put(c, builder.lowerBoundSeconds(c));
                });
        List<Estimate> fitting = new ArrayList<>();
        List<MemoryNeed> needs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int tried = 0;
        int placed = 0;
        for (Configuration c : configs) {
            if (!fitting.isEmpty() && deadline.expired()) {
                skipped.add(String.format("%,d of %,d configurations at ZeRO stage %d", configs.size() - tried, configs.size(), zero));
                LOG.warn("time limit {} reached after {} of {} configurations", request.timeLimit().orElseThrow(), tried, configs.size());
                break;
            }
            tried++;
            // c's estimate is at least its lower bound: at or above the last finalist's so far it could not be simulated
            boolean evenMayFinish = bound.get(c) - builder.roundingSeconds(c) < Finalists.cutoffSeconds(fitting);
            boolean hybrids = Hybrids.allowed(c, cluster, request) && placer.replicates(c);
            if (!evenMayFinish && !hybrids) {
                continue;
            }
            placed++;
            PlacementProblem problem = builder.build(c);
            // when the blocks' state alone overflows the stages, neither the program nor a hybrid could fit c
            boolean mayFit = !prunes || !state.overflows(c, problem);
            Optional<ChunkBudgets.Placed> even = mayFit && evenMayFinish
                    ? ChunkBudgets.place(c, problem, pr -> placer.place(pr, pinned)) : Optional.empty();
            Optional<IdealPartitioner.Result> dp = even.map(ChunkBudgets.Placed::partition);
            if (even.isPresent()) {
                fitting.add(new Estimate(c, even.get().problem(), dp.get(), c.stepSlots() * dp.get().bottleneck() * 1e-9));
            } else if (evenMayFinish && (needs.size() < request.runnerUps() || explains && fitting.isEmpty())) {
                // the needs stay a prefix of those tried: once one is left out, fitting is not empty or none was needed
                needs.add(MemoryNeed.of(c, problem));
            }
            if (mayFit && hybrids) {
                double evenSeconds = dp.map(d -> c.stepSlots() * d.bottleneck() * 1e-9).orElse(Double.POSITIVE_INFINITY);
                double beat = prunes ? Math.min(evenSeconds, Finalists.cutoffSeconds(fitting)) : evenSeconds;
                Optional<Estimate> hybrid = Hybrids.best(c, placer, builder, request, beat, prunes);
                if (hybrid.isPresent()) {
                    fitting.add(hybrid.get());
                }
            }
            Optional<Estimate> best = fitting.stream().min(Estimate.ORDER);
            run.progress().update(tried, configs.size(), best.map(e -> e.configuration().label()
                    + String.format(" ~%.4f s", e.stepSeconds())).orElse(""));
        }
        if (fitting.isEmpty() && !request.pins().isEmpty()) {
            throw new InfeasibleException("no configuration places the pinned ops " + request.pins()
                    + " on their stages within memory; pin fewer ops or to other stages");
        }
        if (fitting.isEmpty()) {
            throw explains ? Infeasibility.explain(needs, cluster, request)
                    : new InfeasibleException("nothing fits at ZeRO stage " + zero);
        }
        fitting.sort(Estimate.ORDER);
        CandidateBuilder candidates = new CandidateBuilder(graph, cluster, cost, blocks, builder, open, zero);
        OptionSearch options = new OptionSearch(graph, cluster, cost, candidates, open, prunes);
        List<Pruned> pruned = new ArrayList<>();
        boolean refines = request.pins().isEmpty() && placer.refineWithTimefold(cluster.deviceTypes().size() > 1);
        List<Candidate> simulated = Finalists.simulate(fitting, candidates, options, refines, deadline, pruned, skipped);
        simulated.sort(CANDIDATE_ORDER);
        if (!simulated.get(0).fits()) {
            throw Infeasibility.fromSimulation(simulated, cluster, request);
        }
        // interleaving the winner, then the ZeRO stages and the plan options on the winner's placement
        if (Interleavings.tried(simulated.get(0), placer, request) && deadline.expired()) {
            skipped.add("interleaved 1F1B");
        } else {
            Interleavings.of(simulated.get(0), placer, builder, candidates, request).ifPresent(simulated::add);
        }
        simulated.sort(CANDIDATE_ORDER);
        for (OptionSearch.Round round : OptionSearch.Round.values()) {
            Candidate winner = simulated.get(0);
            // options an earlier round simulated on this placement are not simulated again
            List<PlanOptions> tries = options.options(round, winner).stream().filter(o -> simulated.stream().noneMatch(c ->
                    c.configuration().equals(winner.configuration()) && Arrays.equals(c.stageOfBlock(), winner.stageOfBlock())
                            && c.plan().options().equals(o))).toList();
            if (!tries.isEmpty() && deadline.expired()) {
                skipped.add(round.words());
                continue;
            }
            OptionSearch.Outcome outcome = options.run(winner, tries);
            simulated.addAll(outcome.simulated());
            pruned.addAll(outcome.pruned());
            simulated.sort(CANDIDATE_ORDER);
        }
        return new Searched(simulated, pruned, needs, new Explainer.Counts(tried, placed, placer.method()), skipped);
    }
}
