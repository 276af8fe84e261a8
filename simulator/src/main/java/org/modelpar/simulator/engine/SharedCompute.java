package org.modelpar.simulator.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.FlatPacking;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.ReduceScatter;

/**
 * Compute resources of nodes whose devices share one host (CPU workers on one machine): one resource per
 * device with capacity 1 (a device never runs faster than its profile) and one per such node with the
 * node's {@code computeCapacity} C. Every compute-stream instruction of a device on such a node gets the
 * path (device, node), so the engine runs it as a max-min fair flow of its profiled seconds: alone it
 * takes exactly its profiled time; with k devices of the node busy each progresses at min(1, C / k).
 * A collective's host work ({@link Collective#hostWork()}: its sums and copies, and ZeRO's packing around it,
 * {@link FlatPacking}) runs on the same cores: on the
 * device's compute thread (path (device, node)), or, for a collective that overlaps the backward, on the device's
 * communication thread (one more resource of capacity 1 per device: path (communication thread, node)). The CPU its
 * transport spends on each message between worker processes ({@link CostModel#transportCpuSeconds}) runs while the
 * message travels, on the device's transport thread (one more resource of capacity 1 per device) and the node.
 * Nodes without a capacity (GPUs) keep fixed-duration compute and no host work.
 */
final class SharedCompute {
    private SharedCompute() {
    }

    /**
     * Whether {@code in} runs beside the device's compute, gating only the optimizer step: a collective that overlaps the
     * backward, except one that {@link #holdsComputeThread holds the compute thread}; elsewhere it overlaps what follows,
     * as DeepSpeed reduces a bucket on a stream of its own.
     */
    static boolean runsBesideCompute(Instruction in, boolean sharedHost) {
        return in instanceof Collective c && c.overlapsBackward() && !holdsComputeThread(in, sharedHost);
    }

    /**
     * Whether {@code in} runs on the device's compute thread although it is a collective: on a device of a shared host, a
     * ZeRO stage 2/3 unit's gradient reduce-scatter, which the executor's CPU worker runs there as the backward completes
     * the unit (docs/executor.md, "Known gaps"). The next compute instruction waits for it, and a device's such
     * reduce-scatters run one after another.
     */
    static boolean holdsComputeThread(Instruction in, boolean sharedHost) {
        return sharedHost && in instanceof ReduceScatter rs && rs.unit() >= 0;
    }

    static void resources(CompiledProgram c, FlatPacking packing, ClusterSpec cluster, Map<String, ClusterDevice> devices,
                          CostModel cost) {
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
        int commThreads = 5 * d + nodeResource.size();
        int transportThreads = commThreads + d;
        c.resourceCapacity = Arrays.copyOf(c.resourceCapacity, transportThreads + d);
        Arrays.fill(c.resourceCapacity, links, 5 * d, 1.0);
        Arrays.fill(c.resourceCapacity, commThreads, transportThreads + d, 1.0);
        nodeResource.forEach((node, r) -> c.resourceCapacity[r] = cluster.computeCapacity().get(node));
        c.computePath = new int[c.count][];
        c.hostSeconds = new double[c.count];
        c.hostPath = new int[c.count][];
        c.transportPath = new int[d][];
        for (int i = 0; i < d; i++) {
            c.transportPath[i] = nodeOf[i] < 0 ? null : new int[] {transportThreads + i, nodeOf[i]};
        }
        for (int g = 0; g < c.count; g++) {
            int device = c.device[g];
            int node = nodeOf[device];
            if (node < 0) {
                continue;
            }
            if (c.onComputeStream(g) && c.seconds[g] > 0) {
                c.computePath[g] = new int[] {4 * d + device, node};
            } else if (c.instructions[g] instanceof Collective col) {
                DeviceProfile profile = devices.get(c.deviceIds[device]).profile();
                c.hostSeconds[g] = cost.hostSeconds(profile, col.hostWork().plus(packing.of(col, profile)));
                c.hostPath[g] = new int[] {runsBesideCompute(col, true) ? commThreads + device : 4 * d + device, node};
            }
        }
    }

    /**
     * Prices each message's transport CPU on the devices of shared nodes ({@link CompiledProgram#transportSeconds}): a
     * send's bytes on its sender and its receiver, a ring collective's on each member, which sends and receives its
     * ring's bytes ({@code 2 x} what the ring moves a hop). Runs once the sends are matched and the collectives grouped.
     */
    static void transport(CompiledProgram c, CostModel cost) {
        if (c.transportPath == null) {
            return;
        }
        c.transportSeconds = new double[c.count];
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.SEND) {
                double seconds = cost.transportCpuSeconds(c.bytes[g]);
                price(c, g, seconds);
                price(c, c.partner[g], seconds);
            } else if (c.kind[g] == CompiledProgram.COLLECTIVE) {
                price(c, g, cost.transportCpuSeconds(2 * c.collectiveBytes[c.partner[g]]));
            }
        }
    }

    private static void price(CompiledProgram c, int g, double seconds) {
        if (c.transportPath[c.device[g]] != null) {
            c.transportSeconds[g] = seconds;
        }
    }
}
