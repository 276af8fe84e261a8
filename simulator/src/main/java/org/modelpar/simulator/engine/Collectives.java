package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.program.Collective;

/**
 * Groups the collective instances of a compiled program into ring collectives: every member's program holds an
 * equal {@link Collective} record. Its {@link RingStep}s decide its flow's bytes and its latency: one ring pass moves
 * {@code (n-1)/n} of its bytes over the ring's hops and waits {@code n-1} step latencies, per collective the record
 * stands for.
 */
final class Collectives {
    private Collectives() {
    }

    /**
     * Fills the program's collective arrays and each member's partner.
     *
     * @throws PlanException when a collective is missing from some of its members' programs
     */
    static void group(CompiledProgram c, Routes routes, CostModel cost, ClusterSpec cluster) {
        Map<Collective, List<Integer>> members = new LinkedHashMap<>();
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.COLLECTIVE) {
                members.computeIfAbsent((Collective) c.instructions[g], k -> new ArrayList<>()).add(g);
            }
        }
        int n = members.size();
        c.collectiveCount = n;
        c.collectiveMembers = new int[n][];
        c.collectiveRings = new int[n];
        c.collectiveBytes = new double[n];
        c.collectiveLatency = new double[n];
        c.collectivePath = new int[n][];
        Map<List<String>, Ring> rings = new HashMap<>();
        int k = 0;
        for (Map.Entry<Collective, List<Integer>> e : members.entrySet()) {
            Collective col = e.getKey();
            List<String> group = col.group();
            int size = group.size();
            int programs = (int) group.stream().mapToInt(routes::index).distinct().count();
            if (e.getValue().size() != programs) {
                throw new PlanException("'" + col.name() + "' over " + group + " appears in "
                        + e.getValue().size() + " of its " + programs + " members' programs");
            }
            c.collectiveMembers[k] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            for (int g : c.collectiveMembers[k]) {
                c.partner[g] = k;
            }
            Ring ring = rings.computeIfAbsent(group, gr -> Ring.of(gr, routes, cost, cluster));
            int collectives = col.collectives();
            RingStep steps = RingStep.of(size, col.bytes(), col.ringPasses(), collectives, ring.step().latencySeconds(),
                    ring.step().bandwidthBytesPerSecond());
            c.collectiveRings[k] = Math.max(1, collectives);
            c.collectiveBytes[k] = steps.bytesMoved();
            c.collectiveLatency[k] = steps.latencyTotalSeconds();
            c.collectivePath[k] = ring.path();
            k++;
        }
    }

    /**
     * A device group's ring, shared by every collective over that group: the out and in link of each hop, each
     * once (the members of a group of representatives share their representative's ports), and what one of its steps
     * waits ({@link CostModel#ringStep} of one pass; the flow network moves the bytes).
     */
    private record Ring(int[] path, RingStep step) {
        static Ring of(List<String> group, Routes routes, CostModel cost, ClusterSpec cluster) {
            int size = group.size();
            int[] path = new int[2 * size];
            for (int m = 0; m < size; m++) {
                String from = group.get(m);
                String to = group.get((m + 1) % size);
                int[] hop = Routes.route(routes.index(from), routes.index(to), cost.link(cluster, from, to)).path();
                path[2 * m] = hop[0];
                path[2 * m + 1] = hop[1];
            }
            return new Ring(Arrays.stream(path).distinct().toArray(), cost.ringStep(cluster, group, 0, 1, 1));
        }
    }
}
