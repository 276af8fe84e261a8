package org.modelpar.simulator.timeline;

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
 * @param stepSeconds  from the step's start (a simulated step's 0, a measured one's first span) to the last span's end
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
        List<Span> spans = t.spans();
        Map<String, Integer> index = t.deviceIndex();
        int devices = t.devices().size();
        int[] device = new int[spans.size()];
        int[] comm = new int[devices];
        int[] compute = new int[devices];
        double first = t.source().startsAtZero() ? 0 : Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        String previous = null;
        int d = -1;
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            if (!s.device().equals(previous)) {
                previous = s.device();
                d = index.get(previous);
            }
            device[i] = d;
            if (s.stream() == Stream.COMPUTE) {
                compute[d]++;
            } else {
                comm[d]++;
            }
            first = Math.min(first, s.startSeconds());
            last = Math.max(last, s.endSeconds());
        }
        double step = spans.isEmpty() ? 0 : Math.max(0, last - first);
        double[][] cs = new double[devices][];
        double[][] ce = new double[devices][];
        double[][] ks = new double[devices][];
        double[][] ke = new double[devices][];
        for (int k = 0; k < devices; k++) {
            cs[k] = new double[comm[k]];
            ce[k] = new double[comm[k]];
            ks[k] = new double[compute[k]];
            ke[k] = new double[compute[k]];
        }
        int[] n = new int[devices];
        int[] m = new int[devices];
        double[] busy = new double[devices];
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            int k = device[i];
            if (s.stream() == Stream.COMPUTE) {
                ks[k][m[k]] = s.startSeconds();
                ke[k][m[k]++] = s.endSeconds();
                busy[k] += s.endSeconds() - s.startSeconds();
            } else {
                cs[k][n[k]] = s.startSeconds();
                ce[k][n[k]++] = s.endSeconds();
            }
        }
        Map<String, DeviceTimes> times = new LinkedHashMap<>();
        for (int k = 0; k < devices; k++) {
            Arrays.sort(cs[k]);
            Arrays.sort(ce[k]);
            times.put(t.devices().get(k), new DeviceTimes(step, busy[k], exposed(cs[k], ce[k], ks[k], ke[k])));
        }
        List<Span> path = t.criticalPath().stream().map(spans::get).toList();
        return new TimelineStats(step, times, path);
    }

    /** A device's times, or empty when the timeline does not have it. */
    public Optional<DeviceTimes> device(String id) {
        return Optional.ofNullable(devices.get(id));
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
