package org.modelpar.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.engine.Engine;
import org.modelpar.simulator.engine.EngineResult;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/**
 * The simulator's facade: validates a plan, lowers it to a step program, runs the event engine and
 * summarises one training step.
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
        PlanLayout layout = PlanValidator.validate(plan, graph, cluster);
        StepProgram program = Lowering.lower(layout);
        EngineResult r = Engine.run(program, layout, cluster, options.costModel(), options.trace());
        return report(plan, program, r, options.trace());
    }

    private static SimulationReport report(PlacementPlan plan, StepProgram program, EngineResult r, boolean trace) {
        double step = r.stepSeconds();
        int n = r.deviceCount();
        double executed = 0;
        double model = 0;
        double bubble = 0;
        double exposed = 0;
        Map<String, DeviceReport> devices = new LinkedHashMap<>();
        for (int d = 0; d < n; d++) {
            executed += r.executedFlops(d);
            model += r.modelFlops(d);
            double busy = fraction(r.busySeconds(d), step);
            double exp = fraction(r.exposedCommunicationSeconds(d), step);
            double idle = bubble(busy, exp);
            bubble += idle;
            exposed += exp;
            MemoryBreakdown peak = r.peakMemory(d);
            devices.put(r.deviceId(d), new DeviceReport(program.programs().get(d).stage(), busy, idle, exp,
                    peak.total(), peak, r.memoryCapacityBytes(d)));
        }
        List<SimulationReport.CriticalStep> path = new ArrayList<>();
        for (int g : r.criticalPath()) {
            path.add(new SimulationReport.CriticalStep(r.deviceId(r.instructionDevice(g)), r.instruction(g).name(),
                    r.start(g), r.end(g)));
        }
        double perDevice = step > 0 ? 1e-12 / (n * step) : 0;
        return new SimulationReport(plan, step, step > 0 ? plan.globalBatchSize() / step : 0, executed * perDevice,
                model * perDevice, bubble / n, exposed / n, r.events(), devices, r.outOfMemory(), path,
                trace ? Optional.of(r) : Optional.empty());
    }

    /**
     * The bubble: the share of the step the compute stream is idle with no communication of the device in
     * flight (pipeline fill and drain, waiting on other stages' compute), that is {@code 1 - busy - exposed}.
     * Exposed communication is reported on its own, so a data-parallel plan without a pipeline has bubble 0.
     */
    static double bubble(double busyFraction, double exposedFraction) {
        return Math.max(0, 1 - busyFraction - exposedFraction);
    }

    private static double fraction(double part, double whole) {
        return whole > 0 ? part / whole : 0;
    }
}
