package org.modelpar.simulator.timeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.simulator.program.Stream;

/**
 * Where a timeline's time goes, per device: compute-stream busy time, exposed communication (communication
 * of the device in flight while its compute stream is idle) and the bubble (the rest), plus the critical
 * path. Computed once here for simulated and measured timelines alike.
 *
 * @param stepSeconds  from the first span's start to the last span's end
 * @param devices      per device id, in the timeline's device order
 * @param criticalPath the timeline's critical path as spans, in time order (empty when unknown)
 */
public record TimelineStats(double stepSeconds, Map<String, DeviceTimes> devices, List<Span> criticalPath) {
    public TimelineStats {
        devices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(devices));
        criticalPath = List.copyOf(criticalPath);
    }

    /**
     * One device's share of the step.
     *
     * @param stepSeconds                 the step
     * @param busySeconds                 summed durations of its compute-stream spans
     * @param exposedCommunicationSeconds measure of the union of its communication spans minus the union of
     *                                    its compute spans
     */
    public record DeviceTimes(double stepSeconds, double busySeconds, double exposedCommunicationSeconds) {
        public double busyFraction() {
            return fraction(busySeconds);
        }

        public double exposedCommunicationFraction() {
            return fraction(exposedCommunicationSeconds);
        }

        /**
         * The share of the step the compute stream is idle with no communication of the device in flight
         * (pipeline fill and drain, waiting on other stages): {@code 1 - busy - exposed}, at least 0. Exposed
         * communication is counted on its own, so a data-parallel step without a pipeline has bubble 0.
         */
        public double bubbleFraction() {
            return Math.max(0, 1 - busyFraction() - exposedCommunicationFraction());
        }

        public double bubbleSeconds() {
            return bubbleFraction() * stepSeconds;
        }

        private double fraction(double part) {
            return stepSeconds > 0 ? part / stepSeconds : 0;
        }
    }

    public static TimelineStats of(Timeline t) {
        double first = t.spans().stream().mapToDouble(Span::startSeconds).min().orElse(0);
        double step = Math.max(0, t.spans().stream().mapToDouble(Span::endSeconds).max().orElse(0) - first);
        Map<String, List<Span>> byDevice = new LinkedHashMap<>();
        t.devices().forEach(d -> byDevice.put(d, new ArrayList<>()));
        t.spans().forEach(s -> byDevice.get(s.device()).add(s));
        Map<String, DeviceTimes> devices = new LinkedHashMap<>();
        byDevice.forEach((d, spans) -> devices.put(d, times(step, spans)));
        List<Span> path = t.criticalPath().stream().map(t.spans()::get).toList();
        return new TimelineStats(step, devices, path);
    }

    /** A device's times, or empty when the timeline does not have it. */
    public Optional<DeviceTimes> device(String id) {
        return Optional.ofNullable(devices.get(id));
    }

    private static DeviceTimes times(double step, List<Span> spans) {
        int comm = (int) spans.stream().filter(s -> s.stream() == Stream.COMMUNICATION).count();
        double[] cs = new double[comm];
        double[] ce = new double[comm];
        double[] ks = new double[spans.size() - comm];
        double[] ke = new double[spans.size() - comm];
        int n = 0;
        int k = 0;
        double busy = 0;
        for (Span s : spans) {
            if (s.stream() == Stream.COMPUTE) {
                ks[k] = s.startSeconds();
                ke[k++] = s.endSeconds();
                busy += s.endSeconds() - s.startSeconds();
            } else {
                cs[n] = s.startSeconds();
                ce[n++] = s.endSeconds();
            }
        }
        Arrays.sort(cs);
        Arrays.sort(ce);
        return new DeviceTimes(step, busy, exposed(cs, ce, ks, ke));
    }

    /**
     * Measure of (union of communication intervals) minus (union of compute intervals), by one sweep over
     * the sorted communication starts and ends and the compute intervals in stream order (they do not overlap).
     */
    private static double exposed(double[] cs, double[] ce, double[] ks, double[] ke) {
        int i = 0;
        int j = 0;
        int k = 0;
        int commActive = 0;
        boolean computing = false;
        double last = 0;
        double total = 0;
        int n = cs.length;
        int m = ks.length;
        while (i < n || j < n || k < 2 * m) {
            double nextCompute = k < 2 * m ? (k % 2 == 0 ? ks[k / 2] : ke[k / 2]) : Double.POSITIVE_INFINITY;
            double nextStart = i < n ? cs[i] : Double.POSITIVE_INFINITY;
            double nextEnd = j < n ? ce[j] : Double.POSITIVE_INFINITY;
            double now = Math.min(nextCompute, Math.min(nextStart, nextEnd));
            if (commActive > 0 && !computing) {
                total += now - last;
            }
            last = now;
            if (nextEnd == now) {
                commActive--;
                j++;
            } else if (nextStart == now) {
                commActive++;
                i++;
            } else {
                computing = k % 2 == 0;
                k++;
            }
        }
        return total;
    }
}
