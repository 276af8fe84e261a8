package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.program.AllReduce;

/**
 * Groups the all-reduce instances of a compiled program into ring collectives, one per (stage, group, bytes,
 * tied op): each moves {@code 2 (n-1)/n} of its bytes over the ring's hops and pays {@code 2 (n-1)} latencies
 * of its slowest link.
 */
final class Collectives {
    private Collectives() {
    }

    private record Key(int stage, List<String> group, long bytes, String tiedOp) {
    }

    /**
     * Fills the program's collective arrays and each member's partner.
     *
     * @throws PlanException when an all-reduce is missing from some of its members' programs
     */
    static void group(CompiledProgram c, Routes routes, CostModel cost, ClusterSpec cluster) {
        Map<Key, List<Integer>> members = new LinkedHashMap<>();
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.ALLREDUCE) {
                AllReduce a = (AllReduce) c.instructions[g];
                members.computeIfAbsent(new Key(a.stage(), a.group(), a.bytes(), a.tiedOp()), k -> new ArrayList<>()).add(g);
            }
        }
        int n = members.size();
        c.collectiveCount = n;
        c.collectiveMembers = new int[n][];
        c.collectiveBytes = new double[n];
        c.collectiveLatency = new double[n];
        c.collectivePath = new int[n][];
        int k = 0;
        for (Map.Entry<Key, List<Integer>> e : members.entrySet()) {
            List<String> group = e.getKey().group();
            int size = group.size();
            if (e.getValue().size() != size) {
                throw new PlanException("'" + c.instructions[e.getValue().get(0)].name() + "' over " + group + " appears in "
                        + e.getValue().size() + " of its " + size + " members' programs");
            }
            c.collectiveMembers[k] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            for (int g : c.collectiveMembers[k]) {
                c.partner[g] = k;
            }
            c.collectiveBytes[k] = 2.0 * (size - 1) / size * e.getKey().bytes();
            c.collectiveLatency[k] = 2.0 * (size - 1) * cost.slowestRingLink(cluster, group).latencySeconds();
            int[] ring = new int[2 * size];
            for (int m = 0; m < size; m++) {
                int[] hop = routes.between(routes.index(group.get(m)), routes.index(group.get((m + 1) % size))).path();
                ring[2 * m] = hop[0];
                ring[2 * m + 1] = hop[1];
            }
            c.collectivePath[k] = ring;
            k++;
        }
    }
}
