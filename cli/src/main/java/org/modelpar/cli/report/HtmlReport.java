package org.modelpar.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.timeline.TimelineStats;

/**
 * Renders the report as one self-contained HTML page (charts embedded as PNG data URIs, inline CSS, no
 * script, no external resource). Same input, same bytes.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font-family:sans-serif;margin:2em auto;max-width:1900px;padding:0 1em;color:#222}
            h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
            th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1em}.charts figure{margin:0}
            img{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.9em;color:#555}
            """;

    private HtmlReport() {
    }

    public static String render(ReportInput in) {
        PlacementPlan plan = in.plan();
        List<Row> rows = IntStream.range(0, plan.pipelineStages())
                .mapToObj(s -> new Row("stage " + s + " (" + plan.stages().get(s).devices().get(0) + ")",
                        plan.stages().get(s).devices().get(0))).toList();
        Optional<Timeline> measuredStep = in.measuredStep();
        double axis = Math.max(in.simulated().durationSeconds(), measuredStep.map(Timeline::durationSeconds).orElse(0.0));
        StringBuilder b = new StringBuilder();
        String title = "modelpar report: " + plan.graphName() + " on " + plan.clusterName();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(title))
                .append("</title><style>").append(CSS).append("</style></head><body>\n");
        b.append("<h1>").append(Html.escape(title)).append("</h1>\n");

        b.append("<h2>Plan</h2>\n").append(summary(in));
        b.append(stages(in));
        b.append("<h2>Why this plan</h2>\n").append(explanation(in.explanation()));

        b.append("<h2>Pipeline timeline</h2>\n<div class=\"charts\">\n");
        b.append(figure("timeline-simulated", TimelineChart.of("simulated step", in.simulated(), rows, axis),
                "simulated: one row per stage (its first device), stage 0 at the top; lighter bars are odd micro-batches, thin bars communication"));
        measuredStep.ifPresent(m -> b.append(figure("timeline-measured", TimelineChart.of("measured step", m, rows, axis),
                "measured: the same instructions as executed")));
        b.append("</div>\n");

        b.append("<h2>Memory per device</h2>\n<div class=\"charts\">\n");
        Optional<String> simMemory = MemoryChart.of("simulated memory", in.simulated(), rows, in.capacityBytes())
                .map(c -> figure("memory-simulated", c, "allocated memory over the step against the device's capacity (dashed)"));
        Optional<String> measuredMemory = measuredStep.flatMap(m -> MemoryChart.of("measured memory", m, rows, in.capacityBytes()))
                .map(c -> figure("memory-measured", c, "measured allocations"));
        b.append(simMemory.orElse("<p id=\"memory-simulated\">The simulated trace has no memory counters.</p>\n"));
        measuredMemory.ifPresent(b::append);
        b.append("</div>\n");

        b.append("<h2>Where each stage's time goes</h2>\n<div class=\"charts\">\n");
        b.append(figure("stages-simulated", StageBarsChart.of("simulated", rows, TimelineStats.of(in.simulated())),
                "compute, communication not hidden behind compute, and idle (bubble) time per step"));
        measuredStep.ifPresent(m -> b.append(figure("stages-measured", StageBarsChart.of("measured", rows, TimelineStats.of(m)),
                "measured")));
        b.append("</div>\n");

        b.append("<h2>Communication per step</h2>\n").append(LinkTraffic.table("links-simulated", "simulated",
                LinkTraffic.of(in.simulated(), in.nodeOf())));
        measuredStep.ifPresent(m -> b.append(LinkTraffic.table("links-measured", "measured", LinkTraffic.of(m, in.nodeOf()))));
        if (!in.layers().isEmpty()) {
            b.append("<h2>Layers</h2>\n").append(LayerRow.table(in.layers()));
        }
        if (!in.losses().isEmpty()) {
            b.append("<h2>Training loss</h2>\n").append(figure("loss", LossChart.of(in.losses()), "mean loss of each training step"));
        }

        b.append("<h2>Runner-up configurations</h2>\n").append(runnerUps(in.explanation()));
        b.append("<p><small>Generated by modelpar. Open the traces in Perfetto (ui.perfetto.dev) for every instruction.</small></p>\n");
        return b.append("</body></html>\n").toString();
    }

    private static String summary(ReportInput in) {
        PlacementPlan plan = in.plan();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("graph", plan.graphName()));
        rows.add(List.of("cluster", plan.clusterName()));
        rows.add(List.of("devices", plan.devices().size() + " = " + plan.pipelineStages() + " stages, tensor-parallel "
                + plan.tensorParallel() + ", data-parallel " + dataParallel(plan)));
        rows.add(List.of("batch", plan.microBatches() + " micro-batches of " + plan.microBatchSize() + " samples = global batch "
                + plan.globalBatchSize()));
        rows.add(List.of("schedule", plan.schedule().jsonName()));
        rows.add(List.of("precision / optimizer", plan.precision().jsonName() + " / " + plan.optimizer().jsonName()));
        in.predicted().ifPresent(p -> {
            rows.add(List.of("predicted step", Html.seconds(p.stepSeconds())));
            rows.add(List.of("predicted throughput", String.format(Locale.ROOT, "%.1f samples/s", p.samplesPerSecond())
                    + in.speed().flatMap(v -> v.tokensPerSample().stream().boxed().findFirst())
                            .map(t -> String.format(Locale.ROOT, ", %.0f tokens/s", p.samplesPerSecond() * t)).orElse("")));
            p.peakMemoryBytes().entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(e ->
                    rows.add(List.of("predicted peak memory", memory(in, e.getKey(), e.getValue()) + " on " + e.getKey())));
        });
        in.speed().ifPresent(v -> rows.add(List.of("TFLOP/s per device", String.format(Locale.ROOT,
                "%.1f executed, %.1f model", v.tflopsPerDevice(), v.modelTflopsPerDevice()) + (Double.isFinite(v.mfu())
                ? String.format(Locale.ROOT, "; MFU %.1f%% of %.1f peak", 100 * v.mfu(), v.peakTflopsPerDevice()) : ""))));
        rows.add(List.of("simulated step (trace)", Html.seconds(in.simulated().durationSeconds())));
        in.measured().ifPresent(m -> {
            double sim = in.simulated().durationSeconds();
            double meas = SteadyStep.seconds(m);
            rows.add(List.of("measured step (typical of the steady steps, as train prints it)", Html.seconds(meas) + (sim > 0
                    ? String.format(Locale.ROOT, " (%+.1f%% vs simulated)", 100 * (meas - sim) / sim) : "")));
        });
        return Html.table("summary", List.of(), rows);
    }

    private static String dataParallel(PlacementPlan plan) {
        List<Integer> d = IntStream.range(0, plan.pipelineStages()).mapToObj(plan::dataParallel).distinct().toList();
        return d.size() == 1 ? String.valueOf(d.get(0)) : "per stage " + IntStream.range(0, plan.pipelineStages())
                .mapToObj(s -> String.valueOf(plan.dataParallel(s))).toList();
    }

    /**
     * Per stage its devices, ops and peak memory (the largest of its devices): predicted, measured when there is a
     * measured step, and the devices' capacity.
     */
    private static String stages(ReportInput in) {
        PlacementPlan plan = in.plan();
        List<List<String>> rows = new ArrayList<>();
        for (Stage s : plan.stages()) {
            String first = s.devices().get(0);
            List<String> row = new ArrayList<>(List.of(String.valueOf(s.index()), Html.devices(s.devices()),
                    String.valueOf(plan.dataParallel(s.index())),
                    s.ops().size() + " (" + s.ops().get(0) + " .. " + s.ops().get(s.ops().size() - 1) + ")",
                    s.recompute() ? "yes" : "no"));
            row.add(in.predicted().map(p -> memory(in, first, s.devices().stream()
                    .mapToLong(d -> p.peakMemoryBytes().getOrDefault(d, 0L)).max().orElse(0))).orElse("-"));
            in.measuredStep().ifPresent(m -> row.add(memory(in, first, s.devices().stream()
                    .mapToDouble(d -> m.memoryOf(d).stream().mapToDouble(MemorySample::bytes).max().orElse(0)).max().orElse(0))));
            row.add(Optional.ofNullable(in.capacityBytes().get(first)).map(c -> memory(in, first, c)).orElse("-"));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("stage", "devices", "data-parallel", "ops", "recompute", "predicted peak memory"));
        in.measured().ifPresent(m -> header.add("measured peak memory"));
        header.add("memory per device");
        return Html.table("stages", header, rows);
    }

    /** Bytes in the unit that suits the device's capacity (GiB when it is not known). */
    private static String memory(ReportInput in, String device, double bytes) {
        return ByteSize.format(bytes, in.capacityBytes().getOrDefault(device, 1L << 30));
    }

    private static String explanation(Explanation e) {
        if (e.lines().isEmpty()) {
            return "<p id=\"explanation\">The plan carries no explanation.</p>\n";
        }
        StringBuilder b = new StringBuilder("<ul id=\"explanation\">\n");
        e.lines().forEach(l -> b.append("<li>").append(Html.escape(l)).append("</li>\n"));
        return b.append("</ul>\n").toString();
    }

    private static String runnerUps(Explanation e) {
        if (e.runnerUps().isEmpty()) {
            return "<p id=\"runner-ups\">The plan lists no runner-up configurations.</p>\n";
        }
        List<List<String>> rows = e.runnerUps().stream().map(r -> List.of(r.configuration(),
                Double.isFinite(r.stepSeconds()) ? Html.seconds(r.stepSeconds()) : "does not fit", r.reason())).toList();
        return Html.table("runner-ups", List.of("configuration", "step", "why it lost"), rows);
    }

    private static String figure(String id, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String caption) {
        return "<figure id=\"" + id + "\"><img alt=\"" + Html.escape(chart.getTitle()) + "\" src=\"" + Charts.pngDataUri(chart)
                + "\"><figcaption>" + Html.escape(caption) + "</figcaption></figure>\n";
    }
}
