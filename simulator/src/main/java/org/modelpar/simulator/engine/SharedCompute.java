package org.modelpar.simulator.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;

/**
 * Compute resources of nodes whose devices share one host (CPU workers on one machine): one resource per
 * device with capacity 1 (a device never runs faster than its profile) and one per such node with the
 * node's {@code computeCapacity} C. Every compute-stream instruction of a device on such a node gets the
 * path (device, node), so the engine runs it as a max-min fair flow of its profiled seconds: alone it
 * takes exactly its profiled time; with k devices of the node busy each progresses at min(1, C / k).
 * Nodes without a capacity (GPUs) keep fixed-duration compute.
 */
final class SharedCompute {
    private SharedCompute() {
    }

    static void resources(CompiledProgram c, ClusterSpec cluster, Map<String, ClusterDevice> devices) {
        int d = c.deviceCount;
        Map<String, Integer> nodeResource = new LinkedHashMap<>();
        int[] nodeOf = new int[d];
        for (int i = 0; i < d; i++) {
            String node = devices.get(c.deviceIds[i]).node();
            nodeOf[i] = -1;
            if (cluster.computeCapacity().containsKey(node)) {
                nodeOf[i] = nodeResource.computeIfAbsent(node, k -> 5 * d + nodeResource.size());
            }
        }
        if (nodeResource.isEmpty()) {
            return;
        }
        int links = c.resourceCapacity.length;
        c.resourceCapacity = Arrays.copyOf(c.resourceCapacity, 5 * d + nodeResource.size());
        Arrays.fill(c.resourceCapacity, links, 5 * d, 1.0);
        nodeResource.forEach((node, r) -> c.resourceCapacity[r] = cluster.computeCapacity().get(node));
        c.computePath = new int[c.count][];
        for (int g = 0; g < c.count; g++) {
            int node = nodeOf[c.device[g]];
            if (node >= 0 && c.onComputeStream(g) && c.seconds[g] > 0) {
                c.computePath[g] = new int[] {4 * d + c.device[g], node};
            }
        }
    }
}
