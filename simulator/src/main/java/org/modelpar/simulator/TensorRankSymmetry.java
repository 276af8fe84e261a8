package org.modelpar.simulator;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;

/**
 * Exact symmetry of a plan's tensor ranks, so that the simulator runs tensor rank 0 of every replica and copies
 * its results to the other ranks. Rank k of a replica runs rank 0's program with rank k of its peers and groups
 * (the lowering names no rank otherwise). The copies are exact, not approximate, when the inputs show that rank k
 * also sees rank 0's hardware and contention:
 *
 * <ul>
 *   <li>every replica's t devices share one node, one device profile and one start ({@link CostModel#startSeconds}),
 *       no other replica has a device on that node, and the node does not share a host's compute
 *       ({@code computeCapacity}): a replica's compute is priced per replica, and its ranks' memory per stage;</li>
 *   <li>every link that rank-0 traffic crosses between replicas (sends, and the rings of the data-parallel,
 *       tied-weight, ZeRO and expert collectives) is inter-node and equal, by the cost model, to the link between
 *       the same replicas' rank-k devices for every k. So rank k's flows use only its devices' inter-node ports,
 *       which no other rank's flow crosses, and get rank 0's max-min fair rates;</li>
 *   <li>the only flows on a node's intra-node ports are then the replica's collectives over all t ranks (one
 *       flow each, crossing every rank's ports once), which the representative run models with the rank-0 ports
 *       (the engine's {@code Routes}).</li>
 * </ul>
 *
 * Anything else (t = 1, two replicas on a node, mixed profiles, a heterogeneous or shared-host node, a cost model
 * that prices ranks differently) gives empty, and the simulator runs every device.
 */
final class TensorRankSymmetry {
    /**
     * The representatives' programs and, for each other device, its representative.
     *
     * @param program         tensor rank 0's programs ({@link Lowering#lowerTensorRank})
     * @param representatives device id to the id of rank 0 of its replica, for ranks above 0
     */
    record Run(StepProgram program, Map<String, String> representatives) {
    }

    private final PlanLayout layout;
    private final ClusterSpec cluster;
    private final CostModel cost;
    /** Rank 0 of each replica to the replica's devices in rank order. */
    private final Map<String, List<String>> ranks = new HashMap<>();
    private final Map<String, String> representatives = new HashMap<>();

    private TensorRankSymmetry(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        this.layout = layout;
        this.cluster = cluster;
        this.cost = cost;
    }

    /** The representative run of a validated plan, or empty when its tensor ranks are not provably symmetric. */
    static Optional<Run> of(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        TensorRankSymmetry s = new TensorRankSymmetry(layout, cluster, cost);
        if (layout.plan().tensorParallel() == 1 || !s.replicasOwnTheirNodes()) {
            return Optional.empty();
        }
        StepProgram program = Lowering.lowerTensorRank(layout, 0);
        return s.linksAgree(program) ? Optional.of(new Run(program, Map.copyOf(s.representatives))) : Optional.empty();
    }

    private boolean replicasOwnTheirNodes() {
        PlacementPlan plan = layout.plan();
        int t = plan.tensorParallel();
        Map<String, String> nodeOwner = new HashMap<>();
        for (int g = 0; g < plan.pipelineDegree(); g++) {
            List<String> devices = plan.stages().get(g).devices();
            for (int first = 0; first < devices.size(); first += t) {
                List<String> replica = devices.subList(first, first + t);
                ClusterDevice head = device(replica.get(0));
                for (String id : replica) {
                    ClusterDevice d = device(id);
                    if (!d.node().equals(head.node()) || !d.profile().equals(head.profile())
                            || cost.startSeconds(cluster, id) != cost.startSeconds(cluster, head.id())) {
                        return false;
                    }
                    if (!id.equals(head.id())) {
                        representatives.put(id, head.id());
                    }
                }
                if (nodeOwner.putIfAbsent(head.node(), head.id()) != null
                        || cluster.computeCapacity().containsKey(head.node())) {
                    return false;
                }
                ranks.put(head.id(), List.copyOf(replica));
            }
        }
        return true;
    }

    /** Whether every link between replicas that rank 0 uses is inter-node and the same for every rank. */
    private boolean linksAgree(StepProgram program) {
        Set<List<String>> checked = new HashSet<>();
        for (DeviceProgram dp : program.programs()) {
            for (Instruction ins : dp.instructions()) {
                List<String> hops;
                if (ins instanceof Send s) {
                    hops = List.of(dp.device(), s.peer());
                } else if (ins instanceof Collective c && !withinReplica(c.group())) {
                    hops = c.group();
                } else {
                    continue;
                }
                if (checked.add(hops) && !ringAgrees(hops, ins instanceof Collective)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether every member of a group is a rank of one replica (a collective over the replica's ranks). */
    private boolean withinReplica(List<String> group) {
        String head = representatives.getOrDefault(group.get(0), group.get(0));
        return group.stream().allMatch(id -> representatives.getOrDefault(id, id).equals(head));
    }

    /** Each hop (closing the ring when {@code ring}) inter-node, with equal links for every rank. */
    private boolean ringAgrees(List<String> members, boolean ring) {
        int n = members.size();
        if (n == 1) {
            return true; // moves nothing
        }
        for (int i = 0; i < (ring ? n : n - 1); i++) {
            List<String> from = ranks.get(members.get(i));
            List<String> to = ranks.get(members.get((i + 1) % n));
            if (from == null || to == null) {
                return false; // a rank-0 program names a device of another rank outside its replica
            }
            CostModel.Link first = cost.link(cluster, from.get(0), to.get(0));
            for (int k = 0; k < from.size(); k++) {
                CostModel.Link l = cost.link(cluster, from.get(k), to.get(k));
                if (!l.interNode() || !l.equals(first)) {
                    return false;
                }
            }
        }
        return true;
    }

    private ClusterDevice device(String id) {
        return cluster.device(id).orElseThrow(() -> new IllegalStateException("validated plan names device '" + id
                + "' outside cluster '" + cluster.name() + "'"));
    }
}
