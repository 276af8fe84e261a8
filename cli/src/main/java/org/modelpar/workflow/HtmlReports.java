package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.modelpar.cli.report.HtmlReport;
import org.modelpar.cli.report.ReportInput;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.trace.ChromeTraceReader;

/** Writes the self-contained HTML report of a plan: its simulated timeline and, when given, a measured one. */
public final class HtmlReports {
    private HtmlReports() {
    }

    /** Simulates the plan with a trace and writes its report to {@code out}. */
    public static void write(Path out, PlanFile file, ComputationGraph graph, ClusterSpec cluster, Optional<Timeline> measured) {
        write(out, file, cluster, Simulator.simulate(graph, cluster, file.plan(), SimulationOptions.defaults().withTrace(true)),
                measured);
    }

    /**
     * The last step of a measured trace file ({@code train --trace}), read against the plan's step program.
     *
     * @throws org.modelpar.simulator.plan.PlanException when the file is unreadable or not a trace of this plan
     */
    public static Timeline measuredStep(Path trace, PlanFile file, ComputationGraph graph, ClusterSpec cluster) {
        return ChromeTraceReader.read(trace, Lowering.lower(graph, cluster, file.plan())).lastStep();
    }

    /**
     * Writes the report of a plan already simulated with a trace.
     *
     * @throws WorkflowException when {@code simulated} has no timeline or {@code out} cannot be written
     */
    public static void write(Path out, PlanFile file, ClusterSpec cluster, SimulationReport simulated, Optional<Timeline> measured) {
        Timeline trace = simulated.timeline().orElseThrow(
                () -> new WorkflowException("the report needs a simulation with a trace (SimulationOptions.withTrace(true))"));
        Map<String, Long> capacity = new LinkedHashMap<>();
        for (ClusterDevice d : cluster.devices()) {
            capacity.put(d.id(), d.profile().memoryBytes());
        }
        TextFiles.write(out, HtmlReport.render(new ReportInput(file.plan(), file.predicted(), file.explanation(), trace, measured,
                capacity)));
    }
}
