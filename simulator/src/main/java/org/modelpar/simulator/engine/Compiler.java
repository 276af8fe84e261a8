package org.modelpar.simulator.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.StageTime;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.MemoryModel;
import org.modelpar.simulator.memory.StageMemory;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.Stream;

/** Flattens a step program into a {@link CompiledProgram}, pricing every instruction with the cost model. */
final class Compiler {
    private final PlanLayout layout;
    private final ClusterSpec cluster;
    private final CostModel cost;
    private final CompiledProgram c = new CompiledProgram();
    private final Map<String, Integer> deviceIndex = new HashMap<>();
    private final Map<String, ClusterDevice> clusterDevices = new HashMap<>();
    private final Map<Long, Route> routes = new HashMap<>();
    private int memoFrom = -1;
    private final int[] memoTo = new int[8];
    private final Route[] memoRoute = new Route[8];
    private int memoCount;
    private int[] edgeFrom = new int[1024];
    private int[] edgeTo = new int[1024];
    private int edges;

    private Compiler(PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        this.layout = layout;
        this.cluster = cluster;
        this.cost = cost;
    }

    static CompiledProgram compile(StepProgram program, PlanLayout layout, ClusterSpec cluster, CostModel cost) {
        return new Compiler(layout, cluster, cost).run(program);
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
            String id = programs.get(i).device();
            c.deviceIds[i] = id;
            if (deviceIndex.put(id, i) != null) {
                throw new PlanException("device '" + id + "' has two programs");
            }
            n += programs.get(i).instructions().size();
        }
        c.deviceFirst[d] = n;
        allocate(n);
        int g = 0;
        StagePrices prices = new StagePrices(layout, cluster, cost);
        for (int i = 0; i < d; i++) {
            g = device(i, programs.get(i), g, prices);
        }
        SharedCompute.resources(c, cluster, clusterDevices);
        SendMatcher.match(c);
        collectives();
        successors();
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
        c.capacityBytes[i] = profile.memoryBytes();
        c.fixedMemory[i] = MemoryModel.deviceFixed(layout, dp.stage());
        NodeLinks links = cluster.linksOf(cd.node());
        c.resourceCapacity[4 * i] = links.intraNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 1] = links.intraNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 2] = links.interNode().bandwidthBytesPerSecond();
        c.resourceCapacity[4 * i + 3] = links.interNode().bandwidthBytesPerSecond();
        int lastCompute = -1;
        int openStart = edges;
        List<Integer> overlapped = new ArrayList<>();
        for (Instruction ins : dp.instructions()) {
            c.instructions[g] = ins;
            c.computeStream[g] = ins.stream() == Stream.COMPUTE;
            c.device[g] = i;
            if (ins instanceof Compute cp) {
                c.kind[g] = CompiledProgram.COMPUTE;
                compute(i, g, cp, prices.time(cp.stage(), dp, profile), prices.memory(cp.stage()));
            } else if (ins instanceof Free f) {
                c.kind[g] = CompiledProgram.FREE;
                c.memoryAtStart[g] = -prices.memory(f.stage()).stashBytesPerMicroBatch();
            } else if (ins instanceof OptimizerStep o) {
                c.kind[g] = CompiledProgram.OPTIMIZER;
                c.seconds[g] = prices.optimizerSeconds(o.stage(), profile);
            } else if (ins instanceof Send s) {
                c.kind[g] = CompiledProgram.SEND;
                c.bytes[g] = s.bytes();
                int peer = index(s.peer());
                Route route = route(i, peer);
                c.peer[g] = peer;
                c.path[g] = route.path();
                c.seconds[g] = route.latencySeconds();
            } else if (ins instanceof Recv r) {
                c.kind[g] = CompiledProgram.RECV;
                c.peer[g] = index(r.peer());
                c.pending[g] = 1;
            } else {
                c.kind[g] = CompiledProgram.ALLREDUCE;
            }
            byte k = c.kind[g];
            if (c.onComputeStream(g)) {
                for (int e = openStart; e < edges; e++) {
                    edgeTo[e] = g; // the open comm instructions gate this compute instruction
                }
                c.pending[g] = edges - openStart;
                if (lastCompute >= 0) {
                    edge(lastCompute, g);
                    c.pending[g]++;
                }
                lastCompute = g;
                openStart = edges;
                if (k == CompiledProgram.OPTIMIZER) {
                    for (int a : overlapped) {
                        edge(a, g); // an all-reduce overlapping the backward gates only the optimizer step
                        c.pending[g]++;
                    }
                    overlapped.clear();
                    openStart = edges;
                }
            } else if (k == CompiledProgram.SEND || k == CompiledProgram.ALLREDUCE) {
                if (lastCompute >= 0) {
                    edge(lastCompute, g);
                    c.pending[g] = 1;
                    int last = edges - 1;
                    // keep gate edges of open comm instructions after this one: swap into place
                    swapToFront(openStart, last);
                    openStart++;
                }
            }
            if (ins instanceof AllReduce a && a.overlapsBackward()) {
                overlapped.add(g);
            } else if (k == CompiledProgram.RECV || k == CompiledProgram.ALLREDUCE) {
                edge(g, -1); // gate edge, its target is the next compute instruction
            }
            g++;
        }
        for (int e = openStart; e < edges; e++) {
            edgeTo[e] = -1; // comm instructions with no compute after them
        }
        return g;
    }

    /**
     * Seconds, memory effect and FLOPs of a pass: a forward stashes, a (whole) backward holds the recomputed
     * activations while it runs, the parts of a split backward share the backward's seconds and FLOPs.
     */
    private void compute(int i, int g, Compute cp, StageTime st, StageMemory mem) {
        double flops;
        switch (cp.direction()) {
            case FORWARD -> {
                c.seconds[g] = st.forwardSeconds();
                c.memoryAtStart[g] = mem.stashBytesPerMicroBatch();
                flops = st.forwardFlops();
            }
            case BACKWARD -> {
                c.seconds[g] = st.backwardSeconds();
                c.memoryAtStart[g] = mem.recomputeBytes();
                c.memoryAtEnd[g] = -mem.recomputeBytes();
                flops = st.backwardFlops();
                c.executedFlops[i] += st.recomputeFlops();
            }
            case INPUT_GRADIENT -> {
                c.seconds[g] = st.inputGradientSeconds();
                flops = st.backwardFlops() - st.weightGradientFlops();
            }
            case WEIGHT_GRADIENT -> {
                c.seconds[g] = st.weightGradientSeconds();
                flops = st.weightGradientFlops();
            }
            default -> throw new IllegalStateException("unknown direction " + cp.direction());
        }
        c.modelFlops[i] += flops;
        c.executedFlops[i] += flops;
    }

    private void swapToFront(int front, int last) {
        int f = edgeFrom[front];
        int t = edgeTo[front];
        edgeFrom[front] = edgeFrom[last];
        edgeTo[front] = edgeTo[last];
        edgeFrom[last] = f;
        edgeTo[last] = t;
    }

    private void edge(int from, int to) {
        if (edges == edgeFrom.length) {
            edgeFrom = Arrays.copyOf(edgeFrom, edges * 2);
            edgeTo = Arrays.copyOf(edgeTo, edges * 2);
        }
        edgeFrom[edges] = from;
        edgeTo[edges] = to;
        edges++;
    }

    private ClusterDevice clusterDevice(String id) {
        ClusterDevice d = clusterDevices.get(id);
        if (d == null) {
            throw new PlanException("device '" + id + "' is not in cluster '" + cluster.name() + "'");
        }
        return d;
    }

    private int index(String id) {
        Integer i = deviceIndex.get(id);
        if (i == null) {
            throw new PlanException("peer device '" + id + "' has no program in the step program");
        }
        return i;
    }

    /**
     * A transfer's resources (the sender's egress and the receiver's ingress port of the link class) and
     * latency.
     */
    private record Route(int[] path, double latencySeconds) {
    }

    /** The route between two devices, memoised per sender (a device talks to few peers). */
    private Route route(int from, int to) {
        if (from != memoFrom) {
            memoFrom = from;
            memoCount = 0;
        }
        for (int k = 0; k < memoCount; k++) {
            if (memoTo[k] == to) {
                return memoRoute[k];
            }
        }
        Route route = routes.computeIfAbsent((long) from * c.deviceCount + to, k -> {
            if (from == to) {
                return new Route(new int[0], 0);
            }
            CostModel.Link link = cost.link(cluster, c.deviceIds[from], c.deviceIds[to]);
            int base = link.interNode() ? 2 : 0;
            return new Route(new int[] {4 * from + base, 4 * to + base + 1}, link.latencySeconds());
        });
        if (memoCount < memoTo.length) {
            memoTo[memoCount] = to;
            memoRoute[memoCount++] = route;
        }
        return route;
    }

    /** Groups all-reduce instances into collectives by (stage, group). */
    private void collectives() {
        Map<AllReduceKey, List<Integer>> members = new LinkedHashMap<>();
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.ALLREDUCE) {
                AllReduce a = (AllReduce) c.instructions[g];
                members.computeIfAbsent(new AllReduceKey(a.stage(), a.group(), a.bytes(), a.tiedOp()), k -> new ArrayList<>()).add(g);
            }
        }
        int n = members.size();
        c.collectiveCount = n;
        c.collectiveMembers = new int[n][];
        c.collectiveBytes = new double[n];
        c.collectiveLatency = new double[n];
        c.collectivePath = new int[n][];
        int k = 0;
        for (Map.Entry<AllReduceKey, List<Integer>> e : members.entrySet()) {
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
                int[] hop = route(index(group.get(m)), index(group.get((m + 1) % size))).path();
                ring[2 * m] = hop[0];
                ring[2 * m + 1] = hop[1];
            }
            c.collectivePath[k] = ring;
            k++;
        }
    }

    private record AllReduceKey(int stage, List<String> group, long bytes, String tiedOp) {
    }

    /** Builds the successor lists (CSR) from the edge list. */
    private void successors() {
        int n = c.count;
        int[] start = new int[n + 1];
        for (int e = 0; e < edges; e++) {
            if (edgeTo[e] >= 0) {
                start[edgeFrom[e] + 1]++;
            }
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, n);
        int[] succ = new int[start[n]];
        for (int e = 0; e < edges; e++) {
            if (edgeTo[e] >= 0) {
                succ[fill[edgeFrom[e]]++] = edgeTo[e];
            }
        }
        c.successorStart = start;
        c.successors = succ;
    }
}
