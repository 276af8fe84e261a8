package org.modelpar.cli.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Memory per device over one step (step lines from the timeline's memory samples) against capacity, from 0,
 * in the unit that suits the largest capacity (MiB for a local worker's budget, GiB for a GPU).
 */
final class MemoryChart {
    private MemoryChart() {
    }

    /** The chart, or empty when the timeline has no memory samples for the rows' devices. */
    static Optional<XYChart> of(String title, Timeline trace, List<Row> rows, Map<String, Long> capacityBytes) {
        long scale = capacityBytes.values().stream().mapToLong(Long::longValue).max().orElse(1L << 30);
        double unit = ByteSize.unitBytes(scale);
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(400).title(title)
                .xAxisTitle("time (ms)").yAxisTitle(ByteSize.unit(scale)).build();
        Charts.style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0);
        double origin = trace.spans().stream().mapToDouble(Span::startSeconds).min().orElse(0);
        double end = Math.max(trace.durationSeconds(), 1e-9) * 1e3;
        boolean any = false;
        for (Row row : rows) {
            List<MemorySample> samples = trace.memoryOf(row.device());
            if (samples.isEmpty()) {
                continue;
            }
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (MemorySample c : samples) {
                xs.add(Math.max(0, (c.atSeconds() - origin) * 1e3));
                ys.add(c.bytes() / unit);
            }
            xs.add(end);
            ys.add(ys.get(ys.size() - 1));
            XYSeries s = chart.addSeries(row.label(), xs, ys);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            s.setMarker(SeriesMarkers.NONE);
            any = true;
        }
        if (!any) {
            return Optional.empty();
        }
        Map<Long, List<String>> byCapacity = new TreeMap<>();
        rows.forEach(r -> {
            Long cap = capacityBytes.get(r.device());
            if (cap != null) {
                byCapacity.computeIfAbsent(cap, k -> new ArrayList<>()).add(r.device());
            }
        });
        byCapacity.forEach((cap, devices) -> {
            String name = "capacity " + ByteSize.format(cap, scale)
                    + (byCapacity.size() > 1 ? " (" + String.join(", ", devices) + ")" : "");
            XYSeries s = chart.addSeries(name, new double[] {0, end}, new double[] {cap / unit, cap / unit});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineStyle(Charts.dashed());
            s.setLineColor(Color.RED);
        });
        return Optional.of(chart);
    }
}
