package org.modelpar.cli.report;

import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss of every step of a training run. */
final class LossChart {
    private LossChart() {
    }

    static XYChart of(List<Double> losses) {
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(320).title("training loss")
                .xAxisTitle("step").yAxisTitle("loss").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        XYSeries s = chart.addSeries("loss", IntStream.range(0, losses.size()).mapToObj(i -> (double) i).toList(), losses);
        s.setMarker(losses.size() <= 50 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineColor(Charts.FORWARD);
        return chart;
    }
}
