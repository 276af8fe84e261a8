package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.DeviceReport;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.workflow.RunRequest;
import org.modelpar.workflow.RunResult;
import org.modelpar.workflow.TrainAndCompare;

/** What {@code modelpar run} prints: one line per step of the workflow, or one JSON document. */
final class RunSummary {
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
        if (!r.planned().unsplit().fits()) {
            line(out, "split     %s", r.planned().unsplit().why(plan));
        }
        SimulationReport sim = r.simulation();
        Map.Entry<String, DeviceReport> peak = sim.devices().entrySet().stream().max(Map.Entry.comparingByValue(
                (a, b) -> Long.compare(a.peakMemoryBytes(), b.peakMemoryBytes()))).orElseThrow();
        line(out, "simulate  step %.4f s, %.1f samples/s, bubble %.1f%%, peak memory %s on %s", sim.stepSeconds(),
                sim.samplesPerSecond(), 100 * sim.bubbleFraction(),
                ByteSize.format(peak.getValue().peakMemoryBytes(), peak.getValue().capacityBytes()), peak.getKey());
        if (r.trained().isPresent()) {
            TrainResult t = r.trained().get().result();
            Comparison cmp = r.trained().get().comparison();
            line(out, "train     %d steps, loss %.4f -> %.4f, measured %.1f ms/step vs predicted %.1f ms from timed kernels (%+.1f%%)",
                    request.steps(), t.losses().get(0), t.losses().get(t.losses().size() - 1), cmp.measuredStepSeconds() * 1e3,
                    cmp.predictedStepSeconds() * 1e3, cmp.stepErrorPercent());
            line(out, "memory    %s", memory(plan, sim, cmp));
            request.trace().ifPresent(p -> line(out, "trace     %s (open in https://ui.perfetto.dev)", p));
        } else {
            line(out, "%s is not a local cluster: modelpar stops after simulation. Take the plan to your framework:", clusterArg);
            line(out, "  modelpar export --plan %s --format megatron   (or deepspeed, torch)", request.planOut());
        }
        request.report().ifPresent(p -> line(out, "report    %s", p));
    }

    /** Per stage (its first device): measured against the plan's predicted peak, and the device's memory. */
    private static String memory(PlacementPlan plan, SimulationReport sim, Comparison cmp) {
        long capacity = sim.devices().get(plan.stages().get(0).devices().get(0)).capacityBytes();
        double unit = ByteSize.unitBytes(capacity);
        List<String> parts = new ArrayList<>();
        for (Stage s : plan.stages()) {
            String device = s.devices().get(0);
            parts.add(String.format(Locale.ROOT, "stage %d (%s) %.2f / %.2f", s.index(), device,
                    cmp.memory().get(device).measuredBytes() / unit, sim.devices().get(device).peakMemoryBytes() / unit));
        }
        return "peak measured / predicted of " + ByteSize.format(capacity) + " per device: " + String.join(", ", parts)
                + " " + ByteSize.unit(capacity);
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
        ObjectNode unsplit = doc.putObject("unsplit");
        unsplit.put("neededBytes", r.planned().unsplit().neededBytes());
        unsplit.put("usableBytes", r.planned().unsplit().usableBytes());
        unsplit.put("fits", r.planned().unsplit().fits());
        if (r.trained().isPresent()) {
            TrainAndCompare.Outcome o = r.trained().get();
            ObjectNode train = doc.putObject("train");
            train.put("steps", request.steps());
            o.result().losses().forEach(train.putArray("losses")::add);
            train.put("measuredStepSeconds", o.comparison().measuredStepSeconds());
            train.put("predictedStepSeconds", o.comparison().predictedStepSeconds());
            train.put("stepErrorPercent", o.comparison().stepErrorPercent());
            train.put("rooflinePredictedStepSeconds", r.simulation().stepSeconds());
            ObjectNode peaks = train.putObject("peakMemoryBytes");
            o.comparison().memory().forEach((device, m) -> peaks.putObject(device).put("measured", m.measuredBytes())
                    .put("predicted", r.simulation().devices().get(device).peakMemoryBytes())
                    .put("capacity", r.simulation().devices().get(device).capacityBytes()));
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
