package org.modelpar.solver;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;

/**
 * A lower bound of a plan's simulated step from its network alone, without running the engine: the simulator
 * runs a ring collective as one flow of {@code passes x (n-1)/n x bytes} over every hop's egress and ingress port
 * (per device and link class, at the node's link bandwidth) and shares a port among its flows max-min fairly
 * (Bertsekas and Gallager, "Data Networks", section 6.5.2), so no port moves more than its bandwidth and the step
 * lasts at least as long as any port needs for the bytes of the collectives through it. Counted: the ring
 * collectives among the devices of tensor rank 0 (data-parallel gradient reduction and ZeRO gathers, whose groups
 * the simulator does not fold onto representatives), from the simulator's own lowering of the plan; everything
 * else (compute, sends, latencies, tensor-parallel collectives) only adds time, so leaving it out keeps the bound
 * below the step. It binds where the data-parallel traffic dominates: ZeRO stage 3 gathers a stage's parameters
 * before every forward and backward of every micro-batch.
 */
final class StepLowerBound {
    private StepLowerBound() {
    }

    /** Seconds the busiest port of the plan needs for its collectives' bytes at its full bandwidth. */
    static double networkSeconds(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        List<DeviceProgram> programs = Lowering.lowerTensorRank(layout, 0).programs();
        Set<String> members = new HashSet<>();
        programs.forEach(p -> members.add(p.device()));
        Set<Collective> counted = new HashSet<>();
        Map<String, Double> portBytes = new HashMap<>();
        for (DeviceProgram p : programs) {
            for (Instruction ins : p.instructions()) {
                if (ins instanceof Collective c && members.containsAll(c.group()) && counted.add(c)) {
                    int n = c.group().size();
                    double bytes = (double) c.ringPasses() * (n - 1) / n * c.bytes();
                    for (int m = 0; m < n; m++) {
                        String from = c.group().get(m);
                        String to = c.group().get((m + 1) % n);
                        String kind = cost.link(cluster, from, to).interNode() ? "inter" : "intra";
                        portBytes.merge(from + " out " + kind, bytes, Double::sum);
                        portBytes.merge(to + " in " + kind, bytes, Double::sum);
                    }
                }
            }
        }
        double seconds = 0;
        for (Map.Entry<String, Double> e : portBytes.entrySet()) {
            String[] port = e.getKey().split(" ");
            ClusterDevice device = cluster.device(port[0]).orElseThrow();
            NodeLinks links = cluster.linksOf(device.node());
            double bandwidth = (port[2].equals("inter") ? links.interNode() : links.intraNode()).bandwidthBytesPerSecond();
            seconds = Math.max(seconds, e.getValue() / bandwidth);
        }
        return seconds;
    }
}
