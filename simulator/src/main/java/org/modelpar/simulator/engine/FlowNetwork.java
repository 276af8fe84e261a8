package org.modelpar.simulator.engine;

import java.util.Arrays;

/**
 * Links as resources shared by concurrent flows with max-min fair bandwidth (progressive filling:
 * Bertsekas and Gallager, "Data Networks", 2nd ed., section 6.5.2). Rates are recomputed for the flows
 * connected to a flow (through shared resources) whenever that flow starts or ends; every flow whose
 * rate changed gets a new completion event (older ones are recognised as stale by their version).
 */
final class FlowNetwork {
    private final double[] capacity;
    private final int[][] active;
    private final int[] activeCount;
    private final int[] resourceStamp;
    private final double[] capacityLeft;
    private final int[] unfixed;

    private int[][] resources = new int[256][];
    private double[] remaining = new double[256];
    private double[] rate = new double[256];
    private double[] updated = new double[256];
    private int[] version = new int[256];
    private int[] flowStamp = new int[256];
    private int flows;

    private int stamp;
    private int[] compFlows = new int[64];
    private int[] compResources = new int[64];
    private double[] oldRate = new double[64];
    private int compFlowCount;
    private int compResourceCount;

    private final EventQueue queue;

    FlowNetwork(int resourceCount, EventQueue queue) {
        this.capacity = new double[resourceCount];
        this.active = new int[resourceCount][];
        this.activeCount = new int[resourceCount];
        this.resourceStamp = new int[resourceCount];
        this.capacityLeft = new double[resourceCount];
        this.unfixed = new int[resourceCount];
        this.queue = queue;
    }

    void setCapacity(int resource, double bytesPerSecond) {
        capacity[resource] = bytesPerSecond;
    }

    /** Starts a flow of {@code bytes} over {@code path} at time {@code now}; returns its id. */
    int start(int[] path, double bytes, double now) {
        int f = flows++;
        if (f == remaining.length) {
            grow();
        }
        resources[f] = path;
        remaining[f] = bytes;
        updated[f] = now;
        for (int r : path) {
            if (active[r] == null) {
                active[r] = new int[4];
            } else if (activeCount[r] == active[r].length) {
                active[r] = Arrays.copyOf(active[r], activeCount[r] * 2);
            }
            active[r][activeCount[r]++] = f;
        }
        rebalance(path, now);
        return f;
    }

    /** Whether a completion event of flow {@code f} with {@code v} is still current. */
    boolean current(int f, int v) {
        return (version[f] & 0x0FFFFFFF) == v && resources[f] != null;
    }

    /** Ends flow {@code f} at {@code now} and rebalances the flows it shared links with. */
    void finish(int f, double now) {
        int[] path = resources[f];
        resources[f] = null;
        for (int r : path) {
            int[] list = active[r];
            int n = activeCount[r];
            for (int i = 0; i < n; i++) {
                if (list[i] == f) {
                    list[i] = list[n - 1];
                    activeCount[r] = n - 1;
                    break;
                }
            }
        }
        rebalance(path, now);
    }

    private void rebalance(int[] seeds, double now) {
        collectComponent(seeds);
        for (int i = 0; i < compFlowCount; i++) {
            int f = compFlows[i];
            remaining[f] = Math.max(0, remaining[f] - rate[f] * (now - updated[f]));
            updated[f] = now;
        }
        if (oldRate.length < compFlowCount) {
            oldRate = new double[Math.max(2 * oldRate.length, compFlowCount)];
        }
        for (int i = 0; i < compFlowCount; i++) {
            oldRate[i] = rate[compFlows[i]];
        }
        fill();
        for (int i = 0; i < compFlowCount; i++) {
            int f = compFlows[i];
            if (rate[f] != oldRate[i]) { // an unchanged rate keeps its completion event
                int v = ++version[f];
                queue.push(now + remaining[f] / rate[f], Events.encode(Events.FLOW_END, v, f));
            }
        }
    }

    /** Breadth-first search over resources and the active flows on them, from the seed resources. */
    private void collectComponent(int[] seeds) {
        stamp++;
        compFlowCount = 0;
        compResourceCount = 0;
        for (int r : seeds) {
            addResource(r);
        }
        for (int i = 0; i < compResourceCount; i++) {
            int r = compResources[i];
            int[] list = active[r];
            for (int k = 0; k < activeCount[r]; k++) {
                int f = list[k];
                if (flowStamp[f] != stamp) {
                    flowStamp[f] = stamp;
                    if (compFlowCount == compFlows.length) {
                        compFlows = Arrays.copyOf(compFlows, compFlowCount * 2);
                    }
                    compFlows[compFlowCount++] = f;
                    for (int q : resources[f]) {
                        addResource(q);
                    }
                }
            }
        }
    }

    private void addResource(int r) {
        if (resourceStamp[r] != stamp) {
            resourceStamp[r] = stamp;
            if (compResourceCount == compResources.length) {
                compResources = Arrays.copyOf(compResources, compResourceCount * 2);
            }
            compResources[compResourceCount++] = r;
        }
    }

    /** Progressive filling: repeatedly saturate the resource with the smallest fair share. */
    private void fill() {
        for (int i = 0; i < compResourceCount; i++) {
            int r = compResources[i];
            capacityLeft[r] = capacity[r];
            unfixed[r] = activeCount[r];
        }
        int left = compFlowCount;
        int fixedStamp = -stamp;
        while (left > 0) {
            int best = -1;
            double bestShare = Double.POSITIVE_INFINITY;
            for (int i = 0; i < compResourceCount; i++) {
                int r = compResources[i];
                if (unfixed[r] > 0) {
                    double share = Math.max(0, capacityLeft[r]) / unfixed[r];
                    if (share < bestShare) {
                        bestShare = share;
                        best = r;
                    }
                }
            }
            int[] list = active[best];
            for (int k = 0; k < activeCount[best]; k++) {
                int f = list[k];
                if (flowStamp[f] != fixedStamp) {
                    flowStamp[f] = fixedStamp;
                    rate[f] = bestShare;
                    left--;
                    for (int q : resources[f]) {
                        capacityLeft[q] -= bestShare;
                        unfixed[q]--;
                    }
                }
            }
        }
    }

    private void grow() {
        int n = remaining.length * 2;
        resources = Arrays.copyOf(resources, n);
        remaining = Arrays.copyOf(remaining, n);
        rate = Arrays.copyOf(rate, n);
        updated = Arrays.copyOf(updated, n);
        version = Arrays.copyOf(version, n);
        flowStamp = Arrays.copyOf(flowStamp, n);
    }
}
