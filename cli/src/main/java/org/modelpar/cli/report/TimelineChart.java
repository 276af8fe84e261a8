package org.modelpar.cli.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The pipeline timeline as a Gantt chart: one row per stage, compute spans as thick bars colored by
 * kind (micro-batches alternate in shade), communication as a thin bar just below.
 */
final class TimelineChart {
    private static final float COMPUTE_WIDTH = 14f;
    private static final float COMM_WIDTH = 4f;
    private static final int ROW_PIXELS = 44;
    private static final double LABEL_CHAR_PIXELS = 6.5;
    private static final double PLOT_PIXELS = Charts.WIDTH - 90;

    private TimelineChart() {
    }

    static XYChart of(String title, Timeline trace, List<Row> rows, double maxSeconds) {
        int height = 160 + ROW_PIXELS * rows.size();
        XYChart chart = new XYChartBuilder().width(Charts.WIDTH).height(height).title(title)
                .xAxisTitle("time (ms)").yAxisTitle("").build();
        Charts.style(chart.getStyler());
        double maxMillis = maxSeconds * 1e3;
        chart.getStyler().setYAxisMin(-0.6).setYAxisMax(rows.size() - 0.4).setXAxisMin(0.0).setXAxisMax(maxMillis);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setAnnotationTextFontColor(java.awt.Color.DARK_GRAY);
        for (int r = 0; r < rows.size(); r++) {
            // row labels as annotations above each row's bars (axis tick labels skip rows on tall charts)
            String text = rows.get(r).label();
            double x = maxMillis * (text.length() * LABEL_CHAR_PIXELS / 2 + 4) / PLOT_PIXELS;
            chart.addAnnotation(new AnnotationText(text, x, rows.size() - 1 - r + 0.36, false));
        }
        double origin = trace.spans().stream().mapToDouble(Span::startSeconds).min().orElse(0);
        List<List<Span>> rowSpans = rows.stream().map(r -> trace.spansOf(r.device())).toList();
        for (Bar bar : Bar.values()) {
            for (int parity = 0; parity < 2; parity++) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                for (int r = 0; r < rows.size(); r++) {
                    double y = rows.size() - 1 - r - (bar == Bar.COMMUNICATION ? 0.3 : 0);
                    for (Span s : rowSpans.get(r)) {
                        if (Bar.of(s.instruction()).orElse(null) == bar && microBatch(s.instruction()) % 2 == parity
                                && s.seconds() > 0) {
                            xs.add((s.startSeconds() - origin) * 1e3);
                            xs.add((s.endSeconds() - origin) * 1e3);
                            xs.add(Double.NaN);
                            ys.add(y);
                            ys.add(y);
                            ys.add(Double.NaN);
                        }
                    }
                }
                if (xs.isEmpty()) {
                    continue;
                }
                XYSeries series = chart.addSeries(bar.label + (parity == 1 ? " (odd micro-batch)" : ""),
                        xs.stream().mapToDouble(Double::doubleValue).toArray(), ys.stream().mapToDouble(Double::doubleValue).toArray());
                series.setMarker(SeriesMarkers.NONE);
                series.setLineStyle(Charts.bar(bar == Bar.COMMUNICATION ? COMM_WIDTH : COMPUTE_WIDTH));
                series.setLineColor(parity == 0 ? bar.color : Charts.light(bar.color));
                series.setShowInLegend(parity == 0);
            }
        }
        if (chart.getSeriesCollection().isEmpty()) {
            XYSeries empty = chart.addSeries("no spans", new double[] {0}, new double[] {0});
            empty.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** The micro-batch an instruction works on (0 for a stage's all-reduce and optimizer step). */
    private static int microBatch(Instruction i) {
        if (i instanceof Compute c) {
            return c.microBatch();
        } else if (i instanceof Send s) {
            return s.microBatch();
        } else if (i instanceof Recv r) {
            return r.microBatch();
        } else if (i instanceof Free f) {
            return f.microBatch();
        }
        return 0;
    }

    /** How a span is drawn; a free (no duration in the simulator) is not drawn. */
    private enum Bar {
        FORWARD("forward", Charts.FORWARD),
        BACKWARD("backward", Charts.BACKWARD),
        RECOMPUTE("backward with recompute", Charts.RECOMPUTE),
        COMMUNICATION("communication", Charts.COMMUNICATION),
        OPTIMIZER("optimizer", Charts.OPTIMIZER);

        private final String label;
        private final Color color;

        Bar(String label, Color color) {
            this.label = label;
            this.color = color;
        }

        static Optional<Bar> of(Instruction i) {
            if (i.stream() == Stream.COMMUNICATION) {
                return Optional.of(COMMUNICATION);
            } else if (i instanceof Compute c) {
                return Optional.of(c.direction() == Direction.FORWARD ? FORWARD : c.recompute() ? RECOMPUTE : BACKWARD);
            } else if (i instanceof OptimizerStep) {
                return Optional.of(OPTIMIZER);
            }
            return Optional.empty();
        }
    }
}
