package org.modelpar.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/** Shared chart look and the PNG data-URI encoding that keeps the report self-contained. */
final class Charts {
    static final int WIDTH = 900;
    static final Color FORWARD = new Color(0x3B75AF);
    static final Color BACKWARD = new Color(0x519E3E);
    static final Color RECOMPUTE = new Color(0xEF8636);
    static final Color COMMUNICATION = new Color(0x8D69B8);
    static final Color OPTIMIZER = new Color(0x84584E);
    static final Color BUBBLE = new Color(0xC7C7C7);
    /** Most series whose legend stays below a chart, and most category labels left level. */
    static final int LEGEND_BELOW = 4;

    private Charts() {
    }

    /** Common styling: white background, legend below, anti-aliased. */
    static void style(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setAntiAlias(true);
    }

    /**
     * With more than {@value #LEGEND_BELOW} series per chart the legend moves beside the chart, one entry a line:
     * a row of them below a wide chart runs past its edge.
     */
    static void legendBeside(Styler styler, int series) {
        if (series > LEGEND_BELOW) {
            styler.setLegendPosition(Styler.LegendPosition.OutsideE);
            styler.setLegendLayout(Styler.LegendLayout.Vertical);
        }
    }

    /** Category labels are turned when there are more than {@value #LEGEND_BELOW}, so neighbours do not overlap. */
    static void turnLabels(AxesChartStyler styler, int categories) {
        if (categories > LEGEND_BELOW) {
            styler.setXAxisLabelRotation(45);
        }
    }

    /** A solid stroke with square ends, for timeline bars. */
    static BasicStroke bar(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER);
    }

    static BasicStroke dashed() {
        return new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
    }

    /** The chart as a {@code data:image/png;base64,...} URI. */
    static String pngDataUri(Chart<?, ?> chart) {
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart '" + chart.getTitle() + "' as PNG", e);
        }
    }

    /** A lighter shade, for alternating micro-batches. */
    static Color light(Color c) {
        return new Color((c.getRed() + 255) / 2, (c.getGreen() + 255) / 2, (c.getBlue() + 255) / 2);
    }
}
