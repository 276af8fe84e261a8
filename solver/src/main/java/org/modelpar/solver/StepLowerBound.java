package org.modelpar.solver;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.RingStep;
import org.modelpar.simulator.cost.StageCosts;
import org.modelpar.simulator.cost.StageTime;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.ComputeInstruction;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;

/**
 * Lower bounds of a plan's simulated step, without running the engine.
 *
 * <p>{@link #pipelineSeconds}, from the compute and what it waits for: a device runs its compute one instruction at a
 * time, at least for the seconds {@link StageCosts} prices (the engine's own durations), and a collective that gates
 * the next compute instruction lasts at least its latencies plus its bytes at its port's bandwidth; stage s computes nothing before
 * the first forward of every stage before it has run, and (1F1B and GPipe, whose every stage ends on a backward)
 * after its last backward every stage before it runs that micro-batch's backward in turn.
 *
 * <p>{@link #networkSeconds}, from the network alone: the simulator
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

    /**
     * The longest of, per stage s (its first replica's tensor rank 0): the forwards of one micro-batch on the stages
     * before it; its m forwards and backwards (with recomputation and the weight gradients) and, between them, the
     * collectives its compute waits for (tensor-parallel, boundary gathers, ZeRO 3's first gather of a pass: per gap
     * between two compute instructions the longest, at its latencies plus its bytes at the bandwidth of its first
     * hop's port); then the larger of what it still waits for after its last pass and, where the schedule does not
     * split the backward (every stage ends on a backward), the backwards of one micro-batch on the stages before
     * it. For one chunk per device group only (0 otherwise).
     */
    static double pipelineSeconds(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        return pipelineSeconds(layout, rankZero(layout), cluster, cost);
    }

    /** The plan's programs of tensor rank 0 ({@link Lowering#lowerTensorRank}), which both bounds read. */
    static List<DeviceProgram> rankZero(PlanLayout layout) {
        return Lowering.lowerTensorRank(layout, 0).programs();
    }

    /** {@link #pipelineSeconds(PlanLayout, ClusterSpec, CostModel)} from the plan's {@link #rankZero} programs. */
    static double pipelineSeconds(PlanLayout layout, List<DeviceProgram> programs, ClusterSpec cluster, CostModel cost) {
        PlacementPlan plan = layout.plan();
        if (plan.virtualStages() != 1) {
            return 0;
        }
        boolean endsOnBackward = !plan.schedule().splitsBackward();
        double forwardsBefore = 0;
        double backwardsBefore = 0;
        double seconds = 0;
        for (int s = 0; s < plan.pipelineStages(); s++) {
            List<String> devices = plan.stages().get(s).devices();
            StageTime t = StageCosts.of(layout, cluster, cost, s, cluster.device(devices.get(0)).orElseThrow().profile(),
                    devices.subList(0, plan.tensorParallel()));
            double passes = plan.microBatches() * (t.forwardComputeSeconds() + t.backwardComputeSeconds());
            DeviceProgram program = programs.stream().filter(p -> p.device().equals(devices.get(0))).findFirst().orElseThrow();
            double[] waits = waits(program, cluster, cost);
            seconds = Math.max(seconds, forwardsBefore + passes + waits[0] + Math.max(waits[1], endsOnBackward ? backwardsBefore : 0));
            forwardsBefore += t.forwardComputeSeconds();
            backwardsBefore += t.backwardComputeSeconds();
        }
        return seconds;
    }

    /**
     * The least seconds the device's compute waits for collectives up to its last pass, and after it: the engine
     * starts such a collective once its members finished the compute before it, and the next compute instruction
     * once it ended (not the overlapped gradient reduction or a prefetching gather, which gate no compute).
     */
    private static double[] waits(DeviceProgram program, ClusterSpec cluster, CostModel cost) {
        double waited = 0;
        double toLastPass = 0;
        double gap = 0;
        for (Instruction ins : program.instructions()) {
            if (ins instanceof ComputeInstruction) {
                waited += gap;
                gap = 0;
                toLastPass = ins instanceof Compute ? waited : toLastPass;
            } else if (ins instanceof Collective c && !c.overlapsBackward() && !c.prefetches()) {
                gap = Math.max(gap, leastSeconds(c, cluster, cost));
            }
        }
        return new double[] {toLastPass, waited - toLastPass + gap};
    }

    /** A ring collective's latencies plus its bytes at the bandwidth of its first hop's egress port. */
    private static double leastSeconds(Collective c, ClusterSpec cluster, CostModel cost) {
        int n = c.group().size();
        if (n < 2) {
            return 0;
        }
        RingStep steps = cost.ringStep(cluster, c.group(), c.bytes(), c.ringPasses(), c.collectives());
        return steps.latencyTotalSeconds() + steps.bytesMoved() / portBandwidth(cluster, cost, c.group().get(0),
                c.group().get(1));
    }

    /** Seconds the busiest port of the plan needs for its collectives' bytes at its full bandwidth. */
    static double networkSeconds(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        return networkSeconds(rankZero(layout), cluster, cost);
    }

    /** {@link #networkSeconds(PlanLayout, ClusterSpec, CostModel)} from the plan's {@link #rankZero} programs. */
    static double networkSeconds(List<DeviceProgram> programs, ClusterSpec cluster, CostModel cost) {
        Set<String> members = new HashSet<>();
        programs.forEach(p -> members.add(p.device()));
        Set<Collective> counted = new HashSet<>();
        Map<String, Double> portBytes = new HashMap<>();
        for (DeviceProgram p : programs) {
            for (Instruction ins : p.instructions()) {
                // every member's program holds the collective: counted from its first member's, which comes first
                if (ins instanceof Collective c && !c.group().isEmpty() && c.group().get(0).equals(p.device())
                        && members.containsAll(c.group())
                        && counted.add(c)) {
                    int n = c.group().size();
                    double bytes = cost.ringStep(cluster, c.group(), c.bytes(), c.ringPasses(), c.collectives()).bytesMoved();
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
            seconds = Math.max(seconds, e.getValue() / bandwidth(cluster, port[0], port[2].equals("inter")));
        }
        return seconds;
    }

    /** The bandwidth of the egress port from one device to another: its node's link of that class, as the engine sets it. */
    private static double portBandwidth(ClusterSpec cluster, CostModel cost, String from, String to) {
        return bandwidth(cluster, from, cost.link(cluster, from, to).interNode());
    }

    private static double bandwidth(ClusterSpec cluster, String device, boolean interNode) {
        NodeLinks links = cluster.linksOf(cluster.device(device).orElseThrow().node());
        return (interNode ? links.interNode() : links.intraNode()).bandwidthBytesPerSecond();
    }
}
