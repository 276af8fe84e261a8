package org.modelpar.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where one stage's step goes, from its device's trace spans: compute (forward, backward, recompute,
 * optimizer), exposed communication (communication while the compute stream is idle) and bubble (the
 * rest of the step).
 *
 * @param label                stage label
 * @param computeSeconds       union of compute spans
 * @param communicationSeconds communication not overlapped by compute
 * @param bubbleSeconds        step - compute - exposed communication
 */
record StageTimes(String label, double computeSeconds, double communicationSeconds, double bubbleSeconds) {

    static StageTimes of(Row row, Trace trace, double stepSeconds) {
        List<Trace.Span> spans = trace.spansOf(row.device());
        List<double[]> compute = union(spans.stream().filter(s -> s.kind().compute()).toList());
        List<double[]> comm = union(spans.stream().filter(s -> s.kind() == SpanKind.COMMUNICATION).toList());
        double computeSeconds = length(compute);
        double exposed = length(comm) - overlap(comm, compute);
        return new StageTimes(row.label(), computeSeconds, exposed, Math.max(0, stepSeconds - computeSeconds - exposed));
    }

    /** Merged, sorted [start, end] intervals. */
    static List<double[]> union(List<Trace.Span> spans) {
        List<double[]> sorted = spans.stream().map(s -> new double[] {s.startSeconds(), s.endSeconds()})
                .sorted(Comparator.comparingDouble(a -> a[0])).toList();
        List<double[]> merged = new ArrayList<>();
        for (double[] iv : sorted) {
            if (!merged.isEmpty() && iv[0] <= merged.get(merged.size() - 1)[1]) {
                double[] last = merged.get(merged.size() - 1);
                last[1] = Math.max(last[1], iv[1]);
            } else {
                merged.add(iv.clone());
            }
        }
        return merged;
    }

    static double length(List<double[]> intervals) {
        return intervals.stream().mapToDouble(iv -> iv[1] - iv[0]).sum();
    }

    /** Total overlap of two merged interval lists. */
    static double overlap(List<double[]> a, List<double[]> b) {
        double total = 0;
        int j = 0;
        for (double[] x : a) {
            while (j < b.size() && b.get(j)[1] <= x[0]) {
                j++;
            }
            for (int k = j; k < b.size() && b.get(k)[0] < x[1]; k++) {
                total += Math.min(x[1], b.get(k)[1]) - Math.max(x[0], b.get(k)[0]);
            }
        }
        return total;
    }
}
