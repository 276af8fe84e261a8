package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.PlanResult;
import org.modelpar.solver.Planner;
import org.modelpar.solver.SearchProgress;

/**
 * The whole workflow in one call, as {@code modelpar run} does it: profile this machine (local workers
 * without a profile), measure the model's op times (local workers), plan, simulate the best plan once, and
 * on local workers train it and compare with the prediction; writes the plan file and, when asked, the
 * measured trace and the HTML report.
 */
public final class Workflow {
    /** Profiler rounds per measurement and repetitions, as {@code modelpar profile} uses by default. */
    private static final int PROFILE_ROUNDS = 3;
    private static final int PROFILE_REPETITIONS = 9;

    private Workflow() {
    }

    /** Hears about the long steps as they happen (a command line draws progress bars); every hook defaults to nothing. */
    public interface Progress extends SearchProgress {
        /** No progress reported. */
        Progress NONE = new Progress() { };

        /** Profiling {@code workers} local workers is about to start. */
        default void profiling(int workers) {
        }

        @Override
        default void update(int tried, int total, String bestEstimateLabel) {
        }

        /** The search is over. */
        default void searched() {
        }

        /** A training step ended. */
        default void trained(StepResult step) {
        }

        /** Training is over. */
        default void trainingDone() {
        }
    }

    /** Runs the workflow. */
    public static RunResult run(RunRequest request, Progress progress) {
        ClusterSpec cluster = request.cluster();
        Optional<Path> profile = Optional.empty();
        if (cluster.localWorkers() && LocalCluster.measuredProfile(request.modelparHome()).isEmpty()) {
            int workers = cluster.devices().size();
            progress.profiling(workers);
            Path written = request.modelparHome().resolve(LocalCluster.MEASURED);
            TextFiles.write(written, ClusterJson.write(
                    new Profiler(Ticker.system(), PROFILE_ROUNDS, PROFILE_REPETITIONS).profile(workers).cluster()));
            profile = Optional.of(written);
            cluster = LocalCluster.reprofiled(cluster, request.modelparHome(), ProfileLimits.DEFAULT);
        }
        ModelTimes.OpTimes times = cluster.localWorkers()
                ? ModelTimes.of(request.graph(), request.timedSamples(), request.modelparHome())
                : new ModelTimes.OpTimes(request.graph(), false, "roofline op times (not local workers)");
        ComputationGraph graph = times.graph();

        PlanRequest search = PlanRequest.of(request.globalBatch()).withPrecision(request.plannedPrecision(), OptimizerKind.ADAM)
                .withSeed(request.seed()).withTimeLimit(request.timeLimit());
        PlanResult planned = new Planner().plan(graph, cluster, LocalTraining.executable(graph, cluster, search), progress);
        progress.searched();
        PlacementPlan plan = planned.best().plan();
        PlanJson.write(planned.best(), request.planOut());
        SimulationReport simulation = Simulator.simulate(graph, cluster, plan,
                SimulationOptions.defaults().withTrace(request.report().isPresent()));

        Optional<TrainAndCompare.Outcome> trained = Optional.empty();
        Optional<Timeline> measured = Optional.empty();
        if (cluster.localWorkers()) {
            TrainAndCompare.Outcome outcome = TrainAndCompare.run(graph, cluster, plan, TrainAndCompare.Settings.of(request.steps(),
                    request.seed(), TrainAndCompare.defaultLearningRate(plan.optimizer())).withWarmUp(true), progress::trained);
            progress.trainingDone();
            request.trace().ifPresent(t -> TextFiles.write(t, outcome.traceJson(graph)));
            measured = Optional.of(outcome.result().timeline());
            trained = Optional.of(outcome);
        }
        if (request.report().isPresent()) {
            HtmlReports.write(request.report().get(), planned.best(), graph, cluster, simulation, measured,
                    trained.map(t -> t.result().losses()).orElse(List.of()));
        }
        return new RunResult(profile, cluster, times, planned, simulation, trained);
    }
}
