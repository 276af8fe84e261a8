package org.modelpar.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.modelpar.executor.Comparison;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.workflow.RunRequest;
import org.modelpar.workflow.RunResult;
import org.modelpar.workflow.TrainAndCompare;

/** What {@code modelpar run} prints: one line per step of the workflow, or one JSON document. */
final class RunSummary {
    private static final double GIB = 1024.0 * 1024 * 1024;

    private RunSummary() {
    }

    static void print(PrintWriter out, RunRequest request, String clusterArg, RunResult r) {
        r.profile().ifPresent(p -> line(out, "profile   measured this machine -> %s", p));
        if (r.cluster().localWorkers()) {
            line(out, "times     %s: %s", r.opTimes().measured() ? "op times of this model at 1 and " + request.timedSamples() + " samples"
                    : "roofline op times", r.opTimes().reason());
        }
        PlacementPlan plan = r.planned().best().plan();
        line(out, "plan      %s (searched %.1f s, %d configurations) -> %s", PlanLabel.of(plan), r.planned().searchSeconds(),
                r.planned().configurationsTried(), request.planOut());
        SimulationReport sim = r.simulation();
        String peakDevice = sim.devices().entrySet().stream().max(Map.Entry.comparingByValue(
                (a, b) -> Long.compare(a.peakMemoryBytes(), b.peakMemoryBytes()))).map(Map.Entry::getKey).orElse("-");
        line(out, "simulate  step %.4f s, %.1f samples/s, bubble %.1f%%, peak memory %.2f GiB on %s", sim.stepSeconds(),
                sim.samplesPerSecond(), 100 * sim.bubbleFraction(), sim.peakMemoryBytes() / GIB, peakDevice);
        if (r.trained().isPresent()) {
            TrainResult t = r.trained().get().result();
            Comparison cmp = r.trained().get().comparison();
            line(out, "train     %d steps, loss %.4f -> %.4f, measured %.1f ms/step vs predicted %.1f ms from timed kernels (%+.1f%%)",
                    request.steps(), t.losses().get(0), t.losses().get(t.losses().size() - 1), cmp.measuredStepSeconds() * 1e3,
                    cmp.predictedStepSeconds() * 1e3, cmp.stepErrorPercent());
            request.trace().ifPresent(p -> line(out, "trace     %s (open in https://ui.perfetto.dev)", p));
        } else {
            line(out, "%s is not a local cluster: modelpar stops after simulation. Take the plan to your framework:", clusterArg);
            line(out, "  modelpar export --plan %s --format megatron   (or deepspeed, torch)", request.planOut());
        }
        request.report().ifPresent(p -> line(out, "report    %s", p));
    }

    static ObjectNode json(RunRequest request, String clusterArg, RunResult r) {
        ObjectNode doc = JsonOutput.object();
        doc.put("model", request.graph().name());
        doc.put("cluster", clusterArg);
        doc.put("profiled", r.profile().isPresent());
        doc.put("opTimes", r.opTimes().measured() ? "measured" : "roofline");
        PlacementPlan plan = r.planned().best().plan();
        doc.put("planFile", request.planOut().toString());
        doc.put("configuration", PlanLabel.of(plan));
        ObjectNode predicted = doc.putObject("predicted");
        predicted.put("stepSeconds", r.simulation().stepSeconds());
        predicted.put("samplesPerSecond", r.simulation().samplesPerSecond());
        predicted.put("bubbleFraction", r.simulation().bubbleFraction());
        predicted.put("peakMemoryBytes", r.simulation().peakMemoryBytes());
        if (r.trained().isPresent()) {
            TrainAndCompare.Outcome o = r.trained().get();
            ObjectNode train = doc.putObject("train");
            train.put("steps", request.steps());
            o.result().losses().forEach(train.putArray("losses")::add);
            train.put("measuredStepSeconds", o.comparison().measuredStepSeconds());
            train.put("predictedStepSeconds", o.comparison().predictedStepSeconds());
            train.put("stepErrorPercent", o.comparison().stepErrorPercent());
            train.put("rooflinePredictedStepSeconds", r.simulation().stepSeconds());
        } else {
            doc.putNull("train");
            doc.put("next", "modelpar export --plan " + request.planOut() + " --format megatron|deepspeed|torch");
        }
        if (request.report().isPresent()) {
            doc.put("report", request.report().get().toString());
        } else {
            doc.putNull("report");
        }
        return doc;
    }

    private static void line(PrintWriter out, String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
