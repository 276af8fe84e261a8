package org.modelpar.solver.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Baechi's memory-constrained Earliest Task First placement, m-ETF (Jeon et al., "Baechi: Fast Device
 * Placement of Machine Learning Graphs", SoCC 2020, section 4.2; ETF is Hwang et al., SIAM J. Comput. 1989).
 *
 * <p>Repeatedly, over every ready task (all predecessors placed) and every device with enough free memory,
 * pick the pair with the earliest start time {@code max(device free, max_pred(finish + transfer))} and place
 * the task there. Ties: the lower task index, then the lower device index. Simplifications: a task's time
 * is its forward + backward time (one task per op, as Baechi does for forward graphs) and transfers do not
 * contend for links.
 */
public final class MetfScheduler {
    /**
     * @param deviceOfTask    device index per task
     * @param makespanSeconds finish time of the last task
     */
    public record Placement(int[] deviceOfTask, double makespanSeconds) {
        public Placement {
            deviceOfTask = deviceOfTask.clone();
        }
    }

    private MetfScheduler() {
    }

    /**
     * @throws IllegalStateException naming the task when no device has memory left for it
     */
    public static Placement place(DagCosts dag) {
        int n = dag.tasks();
        List<List<DagCosts.Edge>> preds = new ArrayList<>();
        List<List<DagCosts.Edge>> succs = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            preds.add(new ArrayList<>());
            succs.add(new ArrayList<>());
        }
        for (DagCosts.Edge e : dag.edges()) {
            preds.get(e.to()).add(e);
            succs.get(e.from()).add(e);
        }
        int[] waiting = new int[n];
        TreeSet<Integer> ready = new TreeSet<>();
        for (int t = 0; t < n; t++) {
            waiting[t] = preds.get(t).size();
            if (waiting[t] == 0) {
                ready.add(t);
            }
        }
        int devices = dag.devices();
        double[] deviceFree = new double[devices];
        long[] freeBytes = dag.capacityBytes().clone();
        int[] device = new int[n];
        double[] finish = new double[n];
        double makespan = 0;
        while (!ready.isEmpty()) {
            int bestTask = -1;
            int bestDevice = -1;
            double bestStart = Double.POSITIVE_INFINITY;
            for (int t : ready) {
                for (int d = 0; d < devices; d++) {
                    if (freeBytes[d] < dag.memoryBytes()[t]) {
                        continue;
                    }
                    double start = deviceFree[d];
                    for (DagCosts.Edge e : preds.get(t)) {
                        int from = device[e.from()];
                        double arrival = finish[e.from()] + (from == d ? 0 : dag.transfer().seconds(e.bytes(), from, d));
                        start = Math.max(start, arrival);
                    }
                    if (start < bestStart) {
                        bestStart = start;
                        bestTask = t;
                        bestDevice = d;
                    }
                }
            }
            if (bestTask < 0) {
                int t = ready.first();
                throw new IllegalStateException("m-ETF: task " + t + " needs " + dag.memoryBytes()[t]
                        + " bytes, no device has that much free memory left");
            }
            ready.remove(bestTask);
            device[bestTask] = bestDevice;
            freeBytes[bestDevice] -= dag.memoryBytes()[bestTask];
            finish[bestTask] = bestStart + dag.computeSeconds()[bestTask][bestDevice];
            deviceFree[bestDevice] = finish[bestTask];
            makespan = Math.max(makespan, finish[bestTask]);
            for (DagCosts.Edge e : succs.get(bestTask)) {
                if (--waiting[e.to()] == 0) {
                    ready.add(e.to());
                }
            }
        }
        return new Placement(device, makespan);
    }
}
