package org.modelpar.simulator.engine;

import java.util.HashMap;
import java.util.Map;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlanException;

/**
 * The devices of a compiled program by index, and the route of a transfer between two of them: the
 * sender's egress and the receiver's ingress port of the link class (resources {@code 4 i + 0/1} intra-node,
 * {@code 4 i + 2/3} inter-node), and the link's latency. A program of representatives (one tensor rank of a
 * symmetric plan) names other devices only in the groups of collectives; those devices stand for their
 * representative's ports.
 */
final class Routes {
    /** A transfer's resources and latency; a device to itself has none. */
    record Route(int[] path, double latencySeconds) {
    }

    private final ClusterSpec cluster;
    private final CostModel cost;
    private final String[] deviceIds;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, String> representatives;
    private final Map<Long, Route> routes = new HashMap<>();
    private int memoFrom = -1;
    private final int[] memoTo = new int[8];
    private final Route[] memoRoute = new Route[8];
    private int memoCount;

    /**
     * @param representatives for a program of representatives, each other device's representative; empty otherwise
     * @throws PlanException when a device has two programs
     */
    Routes(ClusterSpec cluster, CostModel cost, String[] deviceIds, Map<String, String> representatives) {
        this.cluster = cluster;
        this.cost = cost;
        this.deviceIds = deviceIds;
        this.representatives = representatives;
        for (int i = 0; i < deviceIds.length; i++) {
            if (index.put(deviceIds[i], i) != null) {
                throw new PlanException("device '" + deviceIds[i] + "' has two programs");
            }
        }
    }

    /** The index of a device with a program (or of its representative), or a {@link PlanException} naming it. */
    int index(String id) {
        Integer i = index.get(representatives.getOrDefault(id, id));
        if (i == null) {
            throw new PlanException("peer device '" + id + "' has no program in the step program");
        }
        return i;
    }

    /** The route between two devices, memoised per sender (a device talks to few peers). */
    Route between(int from, int to) {
        if (from != memoFrom) {
            memoFrom = from;
            memoCount = 0;
        }
        for (int k = 0; k < memoCount; k++) {
            if (memoTo[k] == to) {
                return memoRoute[k];
            }
        }
        Route route = routes.computeIfAbsent((long) from * deviceIds.length + to, k -> {
            if (from == to) {
                return new Route(new int[0], 0);
            }
            return route(from, to, cost.link(cluster, deviceIds[from], deviceIds[to]));
        });
        if (memoCount < memoTo.length) {
            memoTo[memoCount] = to;
            memoRoute[memoCount++] = route;
        }
        return route;
    }

    /** The route of {@code link} from the device (or representative) with index {@code from} to {@code to}. */
    static Route route(int from, int to, CostModel.Link link) {
        int base = link.interNode() ? 2 : 0;
        return new Route(new int[] {4 * from + base, 4 * to + base + 1}, link.latencySeconds());
    }
}
