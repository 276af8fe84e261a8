package org.modelpar.profiles;

import java.util.Comparator;
import java.util.List;

/**
 * Efficiency (fraction of peak, in (0, 1]) as a function of work size (FLOPs or bytes), interpolated
 * piecewise linearly in log(size) and clamped to the end points outside the measured range.
 */
public record EfficiencyCurve(List<Point> points) {
    /** One measured point: at {@code size} (FLOPs or bytes, positive) the device reaches {@code efficiency}. */
    public record Point(double size, double efficiency) {
        public Point {
            if (!Double.isFinite(size) || size <= 0) {
                throw new ProfileException("efficiency point size must be finite and positive, got " + size);
            }
            if (!Double.isFinite(efficiency) || efficiency <= 0 || efficiency > 1) {
                throw new ProfileException("efficiency must be in (0, 1], got " + efficiency + " at size " + size);
            }
        }
    }

    public EfficiencyCurve {
        if (points == null || points.isEmpty()) {
            throw new ProfileException("efficiency curve needs at least one point");
        }
        points = points.stream().sorted(Comparator.comparingDouble(Point::size)).toList();
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).size() == points.get(i - 1).size()) {
                throw new ProfileException("efficiency curve has two points at size " + points.get(i).size());
            }
        }
    }

    /** A flat curve: the same efficiency at every size. */
    public static EfficiencyCurve constant(double efficiency) {
        return new EfficiencyCurve(List.of(new Point(1, efficiency)));
    }

    /** Efficiency at a work size; sizes at or below zero get the first point's efficiency. */
    public double at(double size) {
        Point first = points.get(0);
        Point last = points.get(points.size() - 1);
        if (!(size > first.size())) {
            return first.efficiency();
        }
        if (size >= last.size()) {
            return last.efficiency();
        }
        int hi = 1;
        while (points.get(hi).size() < size) {
            hi++;
        }
        Point a = points.get(hi - 1);
        Point b = points.get(hi);
        double w = (Math.log(size) - Math.log(a.size())) / (Math.log(b.size()) - Math.log(a.size()));
        return a.efficiency() + w * (b.efficiency() - a.efficiency());
    }
}
