package org.modelpar.simulator.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.cost.StageTime;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.InstructionFlops;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.program.FlatPacking;

/** Flattens a step program into a {@link CompiledProgram}, pricing every instruction with the cost model. */
final class Compiler {
    private final PlanLayout layout;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final Map<String, String> representatives;
    private final InstructionFlops flops;
    /** The factors a compute instruction's duration is drawn from, in compile order with {@link #draws}. */
    private final double[] noise;
    private final SplittableRandom draws;
    private final CompiledProgram c = new CompiledProgram();
    private final Map<String, ClusterDevice> clusterDevices = new HashMap<>();
    private Routes routes;
    private final Edges edges = new Edges();

    private Compiler(PlanLayout layout, ClusterSpec cluster, CostModel cost, Map<String, String> representatives,
                     DurationNoise noise) {
        this.noise = noise.factors();
        this.draws = new SplittableRandom(noise.seed());
        this.layout = layout;
        this.cluster = cluster;
        this.cost = cost;
        this.representatives = representatives;
        this.flops = new InstructionFlops(layout);
    }

    /**
     * @param representatives for a program of representatives ({@link Engine#run(StepProgram, PlanLayout, ClusterSpec,
     *                        CostModel, Map)}), every other device's representative; empty for a whole program
     * @param noise           how each compute instruction's duration varies about its price
     */
    static CompiledProgram compile(StepProgram program, PlanLayout layout, ClusterSpec cluster, CostModel cost,
                                   Map<String, String> representatives, DurationNoise noise) {
        return new Compiler(layout, cluster, cost, representatives, noise).run(program);
    }

    private CompiledProgram run(StepProgram program) {
        c.program = program;
        List<DeviceProgram> programs = program.programs();
        int d = programs.size();
        c.deviceCount = d;
        c.deviceIds = new String[d];
        c.capacityBytes = new long[d];
        c.fixedMemory = new MemoryBreakdown[d];
        c.executedFlops = new double[d];
        c.modelFlops = new double[d];
        c.resourceCapacity = new double[4 * d];
        cluster.devices().forEach(dev -> clusterDevices.put(dev.id(), dev));
        int n = 0;
        c.deviceFirst = new int[d + 1];
        for (int i = 0; i < d; i++) {
            c.deviceFirst[i] = n;
            c.deviceIds[i] = programs.get(i).device();
            n += programs.get(i).instructions().size();
        }
        c.deviceFirst[d] = n;
        routes = new Routes(cluster, cost, c.deviceIds, representatives);
        allocate(n);
        int g = 0;
        StagePrices prices = new StagePrices(layout, cluster, cost);
        for (int i = 0; i < d; i++) {
            g = device(i, programs.get(i), g, prices);
        }
        FlatPacking packing = new FlatPacking(layout);
        SharedCompute.resources(c, packing, cluster, clusterDevices, cost);
        SendMatcher.match(c);
        Collectives.group(c, routes, cost, cluster);
        SharedCompute.transport(c, cost);
        edges.successors(c);
        return c;
    }

    private void allocate(int n) {
        c.count = n;
        c.instructions = new Instruction[n];
        c.kind = new byte[n];
        c.computeStream = new boolean[n];
        c.device = new int[n];
        c.seconds = new double[n];
        c.bytes = new double[n];
        c.memoryAtStart = new long[n];
        c.memoryAtEnd = new long[n];
        c.pending = new int[n];
        c.partner = new int[n];
        c.peer = new int[n];
        c.path = new int[n][];
    }

    private int device(int i, DeviceProgram dp, int g, StagePrices prices) {
        ClusterDevice cd = clusterDevice(dp.device());
        DeviceProfile profile = cd.profile();
        StagePrices.Device price = prices.forDevice(dp, profile);
        c.capacityBytes[i] = profile.memoryBytes();
        c.fixedMemory[i] = price.fixed();
        NodeLinks links = cluster.linksOf(cd.node());
        c.resourceCapacity[4 * i] = links.intraNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 1] = links.intraNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 2] = links.interNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 3] = links.interNode().bandwidthBytesPerSecond();
        double startSeconds = cost.startSeconds(cluster, dp.device());
        if (startSeconds > 0) {
            if (c.startSeconds == null) {
                c.startSeconds = new double[c.deviceCount];
            }
            c.startSeconds[i] = startSeconds;
        }
        DeviceOrder order = new DeviceOrder(c, edges, cluster.computeCapacity().containsKey(cd.node()));
        for (Instruction ins : dp.instructions()) {
            c.instructions[g] = ins;
            c.computeStream[g] = ins.stream() == Stream.COMPUTE;
            c.device[g] = i;
            if (ins instanceof Compute cp) {
                c.kind[g] = CompiledProgram.COMPUTE;
                compute(i, g, cp, cp.parts() > 1 ? price.units()[cp.stage()].get(cp.part()) : price.times()[cp.stage()],
                        price.memory()[cp.stage()]);
            } else if (ins instanceof Free f) {
                c.kind[g] = CompiledProgram.FREE;
                c.memoryAtStart[g] = -price.memory()[f.stage()].releasedByFree();
            } else if (ins instanceof OptimizerStep o) {
                c.kind[g] = CompiledProgram.OPTIMIZER;
                c.seconds[g] = price.optimizerSeconds()[o.stage()];
            } else if (ins instanceof Send s) {
                c.kind[g] = CompiledProgram.SEND;
                c.bytes[g] = s.bytes();
                int peer = routes.index(s.peer());
                Routes.Route route = routes.between(i, peer);
                c.peer[g] = peer;
                c.path[g] = route.path();
                c.seconds[g] = route.latencySeconds();
                double held = cost.senderSeconds(cluster, dp.device(), s.peer(), s.bytes());
                if (held > 0) {
                    if (c.senderSeconds == null) {
                        c.senderSeconds = new double[c.count];
                    }
                    c.senderSeconds[g] = held;
                }
            } else if (ins instanceof Recv r) {
                c.kind[g] = CompiledProgram.RECV;
                c.peer[g] = routes.index(r.peer());
                c.pending[g] = 1;
                double wake = cost.wakeSeconds(cluster, dp.device(), r.peer(), r.bytes());
                if (wake > 0) {
                    if (c.wakeSeconds == null) {
                        c.wakeSeconds = new double[c.count];
                    }
                    c.wakeSeconds[g] = wake;
                }
            } else {
                c.kind[g] = CompiledProgram.COLLECTIVE;
            }
            order.add(g, ins);
            g++;
        }
        order.close();
        return g;
    }

    /**
     * Seconds, memory effect and FLOPs of a pass or of one unit's part of it ({@code st} is then the unit's): a
     * forward stashes at its start, a (whole) backward holds the recomputed activations from its start to its end,
     * a split backward holds its weight-gradient stash from the start of its input-gradient pass to the end of its
     * weight-gradient pass and releases the stash the weight-gradient pass does not read when its input-gradient pass
     * ends, the parts of a split backward share the backward's seconds.
     */
    private void compute(int i, int g, Compute cp, StageTime st, StageMemory mem) {
        switch (cp.direction()) {
            case FORWARD -> {
                c.seconds[g] = st.forwardComputeSeconds();
                c.memoryAtStart[g] = cp.startsPass() ? mem.stashBytesPerMicroBatch() : 0;
            }
            case BACKWARD -> {
                c.seconds[g] = st.backwardComputeSeconds();
                c.memoryAtStart[g] = cp.startsPass() ? mem.recomputeBytes() : 0;
                c.memoryAtEnd[g] = cp.endsPass() ? -mem.recomputeBytes() : 0;
            }
            case INPUT_GRADIENT -> {
                c.seconds[g] = st.inputGradientComputeSeconds();
                c.memoryAtStart[g] = cp.startsPass() ? mem.weightGradientBytes() : 0;
                c.memoryAtEnd[g] = cp.endsPass() ? -mem.releasedByInputGradient() : 0;
            }
            case WEIGHT_GRADIENT -> {
                c.seconds[g] = st.weightGradientSeconds();
                c.memoryAtEnd[g] = cp.endsPass() ? -mem.weightGradientBytes() : 0;
            }
            default -> throw new IllegalStateException("unknown direction " + cp.direction());
        }
        c.seconds[g] *= noise.length == 0 ? 1 : noise[draws.nextInt(noise.length)];
        c.modelFlops[i] += flops.model(cp);
        c.executedFlops[i] += flops.executed(cp);
    }

    private ClusterDevice clusterDevice(String id) {
        ClusterDevice d = clusterDevices.get(id);
        if (d == null) {
            throw new PlanException("device '" + id + "' is not in cluster '" + cluster.name() + "'");
        }
        return d;
    }
}
