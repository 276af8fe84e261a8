package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.modelpar.cli.report.HtmlReport;
import org.modelpar.cli.report.Speed;
import org.modelpar.cli.report.ReportInput;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.ModelSize;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.trace.ChromeTraceReader;

/** Writes the self-contained HTML report of a plan: its simulated timeline and, when given, a measured one. */
public final class HtmlReports {
    private HtmlReports() {
    }

    /** Simulates the plan with a trace and writes its report to {@code out}, with a measured run's timeline if given. */
    public static void write(Path out, PlanFile file, ComputationGraph graph, ClusterSpec cluster, Optional<Timeline> measured) {
        write(out, file, graph, cluster, Simulator.simulate(graph, cluster, file.plan(), SimulationOptions.defaults().withTrace(true)),
                measured, List.of());
    }

    /**
     * A measured trace file ({@code train --trace}), read against the plan's step program:
     * a trace that records another plan is refused, and so is one whose last step lacks an instruction of the
     * program (a trace of another plan that does not record it, or a truncated one).
     *
     * @throws org.modelpar.simulator.plan.PlanException when the file is unreadable or not a trace of this plan
     * @throws WorkflowException when its last step is not a whole step of the plan's program
     */
    public static Timeline measured(Path trace, PlanFile file, ComputationGraph graph, ClusterSpec cluster) {
        StepProgram program = Lowering.lower(graph, cluster, file.plan());
        Timeline run = ChromeTraceReader.read(trace, program);
        Timeline last = run.lastStep();
        for (DeviceProgram p : program.programs()) {
            Set<Integer> seen = new HashSet<>();
            last.spansOf(p.device()).forEach(s -> seen.add(s.index()));
            for (int i = 0; i < p.instructions().size(); i++) {
                if (!seen.contains(i)) {
                    throw new WorkflowException("trace " + trace + ": its last step has " + seen.size() + " of the "
                            + p.instructions().size() + " instructions of device " + p.device() + " in the plan's step program"
                            + " (no '" + p.instructions().get(i).name() + "'): it is not a whole step of this plan"
                            + " (a trace of another plan, or a truncated one)");
                }
            }
        }
        return run;
    }

    /**
     * Writes the report of a plan already simulated with a trace.
     *
     * @param measured a measured run's timeline (every step it traced), if any
     * @param losses   the loss of each step of that run, if known (drawn as the loss curve)
     * @throws WorkflowException when {@code simulated} has no timeline or {@code out} cannot be written
     */
    public static void write(Path out, PlanFile file, ComputationGraph graph, ClusterSpec cluster, SimulationReport simulated,
                             Optional<Timeline> measured, List<Double> losses) {
        Timeline trace = simulated.timeline().orElseThrow(
                () -> new WorkflowException("the report needs a simulation with a trace (SimulationOptions.withTrace(true))"));
        Map<String, Long> capacity = new LinkedHashMap<>();
        Map<String, String> nodeOf = new LinkedHashMap<>();
        for (ClusterDevice d : cluster.devices()) {
            capacity.put(d.id(), d.profile().memoryBytes());
            nodeOf.put(d.id(), d.node());
        }
        PlacementPlan plan = file.plan();
        double peak = cluster.device(plan.stages().get(0).devices().get(0))
                .map(d -> d.profile().peakFlopsPerSecond().getOrDefault(plan.precision().jsonName(), Double.NaN)).orElse(Double.NaN);
        Speed speed = new Speed(simulated.samplesPerSecond(), ModelSize.of(graph).tokensPerSample(), simulated.tflopsPerDevice(),
                simulated.modelTflopsPerDevice(), peak / 1e12);
        TextFiles.write(out, HtmlReport.render(new ReportInput(plan, file.predicted(), file.explanation(), trace, measured,
                capacity, Optional.of(speed), Layers.of(graph, cluster, plan), losses, nodeOf)));
    }
}
