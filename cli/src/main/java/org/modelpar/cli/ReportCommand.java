package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.workflow.HtmlReports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar report --plan P [--measured TRACE] --out FILE}: simulates the plan and writes the HTML
 * report, with a measured trace (from {@code train --trace}) beside the simulated one when given.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Writes a self-contained HTML report of a plan: summary, explanation, simulated (and measured)"
                + " timeline, memory over time, per-stage time and runner-ups.")
final class ReportCommand implements Runnable {
    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "Plan file (modelpar-plan/1).")
    Path plan;

    @Option(names = "--measured", paramLabel = "TRACE", description = "Measured Chrome trace (train --trace); its last step is shown.")
    Path measured;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "HTML file to write.")
    Path out;

    @Mixin
    GraphOptions graph;

    @Mixin
    ClusterOption cluster;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PlanFile file = PlanJson.read(plan);
        ComputationGraph g = graph.loadFor(plan, file.plan());
        ClusterSpec c = cluster.resolveFor(plan, file.plan());
        Optional<Timeline> measuredTrace = Optional.ofNullable(measured).map(m -> HtmlReports.measured(m, file, g, c));
        HtmlReports.write(out, file, g, c, measuredTrace);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("wrote report of " + plan + " to " + out);
        stdout.flush();
    }
}
