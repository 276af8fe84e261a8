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
 * in the unit that suits the largest peak (MiB for a small model, GiB for a large one). A capacity more than
 * {@value #CAPACITY_SHOWN} times the largest peak is named in the axis title instead of drawn, so a small model on
 * a large device stays readable. With many devices the legend stands beside the chart, one entry a line.
 */
final class MemoryChart {
    /** Capacities up to this many times the largest peak are drawn. */
    static final int CAPACITY_SHOWN = 4;
    private MemoryChart() {
    }

    /** The chart, or empty when the timeline has no memory samples for the rows' devices. */
    static Optional<XYChart> of(String title, Timeline trace, List<Row> rows, Map<String, Long> capacityBytes) {
        long peak = rows.stream().flatMap(r -> trace.memoryOf(r.device()).stream()).mapToLong(MemorySample::bytes).max().orElse(1);
        long scale = Math.max(peak, 1);
        double unit = ByteSize.unitBytes(scale);
        long largest = capacityBytes.values().stream().mapToLong(Long::longValue).max().orElse(0);
        boolean drawCapacity = largest <= CAPACITY_SHOWN * scale;
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(400).title(title).xAxisTitle("time (ms)")
                .yAxisTitle(ByteSize.unit(scale) + (drawCapacity || largest == 0 ? "" : " (capacity " + ByteSize.format(largest) + ", off the chart)"))
                .build();
        Charts.style(chart.getStyler());
        Charts.legendBeside(chart.getStyler(), rows.size());
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
        if (!drawCapacity) {
            return Optional.of(chart);
        }
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
