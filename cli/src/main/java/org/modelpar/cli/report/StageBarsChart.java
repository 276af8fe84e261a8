package org.modelpar.cli.report;

import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** Per-stage compute, exposed communication and bubble time as stacked bars (ms per step). */
final class StageBarsChart {
    private StageBarsChart() {
    }

    static CategoryChart of(String title, List<StageTimes> stages) {
        CategoryChart chart = new CategoryChartBuilder().width(Charts.WIDTH).height(360).title(title)
                .xAxisTitle("stage").yAxisTitle("ms per step").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setStacked(true);
        List<String> labels = stages.stream().map(StageTimes::label).toList();
        chart.addSeries("compute", labels, stages.stream().map(s -> s.computeSeconds() * 1e3).toList())
                .setFillColor(Charts.FORWARD);
        chart.addSeries("exposed communication", labels, stages.stream().map(s -> s.communicationSeconds() * 1e3).toList())
                .setFillColor(Charts.COMMUNICATION);
        chart.addSeries("bubble", labels, stages.stream().map(s -> s.bubbleSeconds() * 1e3).toList())
                .setFillColor(Charts.BUBBLE);
        return chart;
    }
}
