package org.modelpar.workflow;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.modelpar.cli.report.HtmlReport;
import org.modelpar.cli.report.ReportInput;
import org.modelpar.cli.report.SimulatedTrace;
import org.modelpar.cli.report.Trace;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlanFile;

/** Writes the self-contained HTML report of a plan: its simulated timeline and, when given, a measured one. */
public final class HtmlReports {
    private HtmlReports() {
    }

    /** Simulates the plan with a trace and writes its report to {@code out}. */
    public static void write(Path out, PlanFile file, ComputationGraph graph, ClusterSpec cluster, Optional<Trace> measured) {
        write(out, file, cluster, Simulator.simulate(graph, cluster, file.plan(), SimulationOptions.defaults().withTrace(true)),
                measured);
    }

    /**
     * Writes the report of a plan already simulated with a trace.
     *
     * @throws WorkflowException when {@code simulated} has no timeline or {@code out} cannot be written
     */
    public static void write(Path out, PlanFile file, ClusterSpec cluster, SimulationReport simulated, Optional<Trace> measured) {
        Trace trace = SimulatedTrace.of(simulated.timeline().orElseThrow(
                () -> new WorkflowException("the report needs a simulation with a trace (SimulationOptions.withTrace(true))")));
        Map<String, Long> capacity = new LinkedHashMap<>();
        for (ClusterDevice d : cluster.devices()) {
            capacity.put(d.id(), d.profile().memoryBytes());
        }
        TextFiles.write(out, HtmlReport.render(new ReportInput(file.plan(), file.predicted(), file.explanation(), trace, measured,
                capacity)));
    }
}
