package org.modelpar.simulator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.engine.Engine;
import org.modelpar.simulator.engine.StepRun;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.TimelineStats;

/**
 * The simulator's facade: validates a plan, lowers it to a step program, runs the event engine and
 * summarises one training step. Without a trace, a plan whose tensor ranks are provably symmetric
 * ({@link TensorRankSymmetry}) runs tensor rank 0 of every replica only, and each other rank reports its
 * representative's results, which are exactly its own.
 */
public final class Simulator {
    private Simulator() {
    }

    /** Simulates one step with the roofline cost model, without a trace. */
    public static SimulationReport simulate(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        return simulate(graph, cluster, plan, SimulationOptions.defaults());
    }

    /**
     * Simulates one step.
     *
     * @throws org.modelpar.simulator.plan.PlanException when the plan does not fit the graph or cluster
     */
    public static SimulationReport simulate(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan,
                                            SimulationOptions options) {
        PlanValidator.checkExpertParallel(graph, plan.options().expertParallel());
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        Optional<TensorRankSymmetry.Run> symmetric = options.trace() || options.noise().varies() ? Optional.empty()
                : TensorRankSymmetry.of(layout, cluster, options.costModel());
        if (symmetric.isPresent()) {
            TensorRankSymmetry.Run run = symmetric.get();
            StepRun r = Engine.run(run.program(), layout, cluster, options.costModel(), run.representatives());
            return report(plan, r, false, run.representatives());
        }
        StepProgram program = Lowering.lower(layout);
        StepRun r = Engine.run(program, layout, cluster, options.costModel(), options.trace(), options.noise());
        return report(plan, r, options.trace(), Map.of());
    }

    /**
     * The report of a run, device by device in the plan's order; a device of {@code representatives} reports its
     * representative's run (which is then all the run has for it).
     */
    private static SimulationReport report(PlacementPlan plan, StepRun r, boolean trace, Map<String, String> representatives) {
        TimelineStats stats = TimelineStats.of(r.timeline());
        double step = stats.stepSeconds();
        Map<String, StepRun.DeviceRun> runs = new HashMap<>();
        r.devices().forEach(d -> runs.put(d.device(), d));
        int n = plan.devices().size();
        double executed = 0;
        double model = 0;
        double bubble = 0;
        double exposed = 0;
        Map<String, DeviceReport> devices = new LinkedHashMap<>();
        for (String id : plan.devices()) {
            String ran = representatives.getOrDefault(id, id);
            StepRun.DeviceRun d = runs.get(ran);
            executed += d.executedFlops();
            model += d.modelFlops();
            TimelineStats.DeviceTimes times = stats.devices().get(ran);
            bubble += times.bubbleFraction();
            exposed += times.exposedCommunicationFraction();
            devices.put(id, new DeviceReport(d.stage(), times.busyFraction(), times.bubbleFraction(),
                    times.exposedCommunicationFraction(), d.peakMemory().total(), d.peakMemory(), d.capacityBytes()));
        }
        List<SimulationReport.CriticalStep> path = stats.criticalPath().stream()
                .map(s -> new SimulationReport.CriticalStep(s.device(), s.name(), s.startSeconds(), s.endSeconds())).toList();
        double perDevice = step > 0 ? 1e-12 / (n * step) : 0;
        return new SimulationReport(plan, step, step > 0 ? plan.globalBatchSize() / step : 0, executed * perDevice,
                model * perDevice, bubble / n, exposed / n, r.events(), devices, r.outOfMemory(), path,
                trace ? Optional.of(r.timeline()) : Optional.empty());
    }
}
