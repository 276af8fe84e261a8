package org.modelpar.cli.report;

import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.modelpar.simulator.timeline.TimelineStats;

/** Per-stage compute, exposed communication and bubble time as stacked bars (ms per step). */
final class StageBarsChart {
    private StageBarsChart() {
    }

    /** Each row's device's busy time, exposed communication and bubble, as {@link TimelineStats} computes them. */
    static CategoryChart of(String title, List<Row> rows, TimelineStats stats) {
        List<TimelineStats.DeviceTimes> stages = rows.stream().map(r -> stats.device(r.device())
                .orElse(new TimelineStats.DeviceTimes(stats.stepSeconds(), 0, 0))).toList();
        CategoryChart chart = new CategoryChartBuilder().width(Charts.WIDTH).height(360).title(title)
                .xAxisTitle("stage").yAxisTitle("ms per step").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setStacked(true);
        Charts.turnLabels(chart.getStyler(), rows.size());
        List<String> labels = rows.stream().map(Row::label).toList();
        chart.addSeries("compute", labels, stages.stream().map(s -> s.busySeconds() * 1e3).toList())
                .setFillColor(Charts.FORWARD);
        chart.addSeries("exposed communication", labels, stages.stream().map(s -> s.exposedCommunicationSeconds() * 1e3).toList())
                .setFillColor(Charts.COMMUNICATION);
        chart.addSeries("bubble", labels, stages.stream().map(s -> s.bubbleSeconds() * 1e3).toList())
                .setFillColor(Charts.BUBBLE);
        return chart;
    }
}
