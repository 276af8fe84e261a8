package org.modelpar.simulator.engine;

import java.util.Arrays;
import java.util.Map;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.program.StepProgram;

/**
 * Discrete-event simulation of one step program (list scheduling with dependency counters, as in
 * FlexFlow's simulator: Jia, Zaharia and Aiken, "Beyond data and model parallelism for deep neural
 * networks", MLSys 2019), with the stream rules documented on {@link org.modelpar.simulator.program.Lowering}.
 * An instruction starts when its dependency counter reaches zero; compute-stream instructions then run for
 * their cost-model duration; a send waits its link latency, then becomes a flow in the {@link FlowNetwork};
 * an all-reduce starts when all members are ready, waits {@code 2(n-1)} latencies, then moves
 * {@code 2(n-1)/n x S} bytes as one flow over every hop of its ring (so uncontended it takes exactly the
 * ring formula, and contended it shares the links fairly). On a node whose devices share one host
 * ({@code computeCapacity}), compute instructions are flows too, over their device (capacity 1) and their
 * node (capacity C): processor sharing, so k devices computing at once each run at min(1, C/k) of their
 * profiled speed, and a device computing alone runs at full speed; there a collective's member completes only after
 * its host work (its sums and copies, {@link SharedCompute}), a flow over the same cores. A collective that overlaps a
 * backward runs its buckets as the backward completes their gradients ({@link OverlappedBuckets}).
 */
public final class Engine {
    /** The owner of a flow that only loads a host ({@link #transportLoad}): its end completes nothing. */
    private static final int TRANSPORT_LOAD = Integer.MAX_VALUE;
    private final CompiledProgram c;
    private final EventQueue queue = new EventQueue();
    private final FlowNetwork network;
    private final MemoryTracker memory;
    private final int[] pending;
    private final double[] start;
    private final double[] end;
    private final int[] cause;
    private final int[] ready;
    /** Per device: until when its sends hold its compute stream ({@link CompiledProgram#senderSeconds}). */
    private final double[] heldUntil;
    private final OverlappedBuckets buckets;
    private int[] flowOwner = new int[1024];
    private long events;

    private Engine(CompiledProgram c, boolean recordMemory) {
        this.c = c;
        this.network = new FlowNetwork(c.resourceCapacity.length, queue);
        for (int r = 0; r < c.resourceCapacity.length; r++) {
            network.setCapacity(r, c.resourceCapacity[r]);
        }
        this.memory = new MemoryTracker(c.fixedMemory, c.capacityBytes, recordMemory);
        this.pending = c.pending.clone();
        this.start = new double[c.count];
        this.end = new double[c.count];
        this.cause = new int[c.count];
        Arrays.fill(cause, -1);
        Arrays.fill(end, -1); // not completed yet
        this.ready = new int[c.collectiveCount];
        this.heldUntil = new double[c.deviceCount];
        this.buckets = new OverlappedBuckets(c);
    }

    /**
     * Simulates one step.
     *
     * @param program      the lowered plan
     * @param layout       the plan resolved against its graph
     * @param cluster      the cluster
     * @param cost         prices every instruction
     * @param recordMemory whether to keep every memory change (for the trace's counter tracks)
     */
    public static StepRun run(StepProgram program, PlanLayout layout, ClusterSpec cluster, CostModel cost,
                              boolean recordMemory) {
        return run(program, layout, cluster, cost, recordMemory, DurationNoise.NONE);
    }

    /** {@link #run(StepProgram, PlanLayout, ClusterSpec, CostModel, boolean)} with compute durations varying by {@code noise}. */
    public static StepRun run(StepProgram program, PlanLayout layout, ClusterSpec cluster, CostModel cost,
                              boolean recordMemory, DurationNoise noise) {
        return run(Compiler.compile(program, layout, cluster, cost, Map.of(), noise), recordMemory);
    }

    /**
     * Simulates the programs of representative devices only (no memory changes kept): the other devices of
     * {@code representatives} appear only in collective groups, where they stand for their representative's ports.
     * Exact when every device runs its representative's program on identical hardware and contention (checked by
     * the caller); the run's devices and timeline are the representatives'.
     */
    public static StepRun run(StepProgram representativePrograms, PlanLayout layout, ClusterSpec cluster, CostModel cost,
                              Map<String, String> representatives) {
        return run(Compiler.compile(representativePrograms, layout, cluster, cost, representatives, DurationNoise.NONE), false);
    }

    /** Runs a compiled program (the benchmark times this apart from compiling). */
    static StepRun run(CompiledProgram c, boolean recordMemory) {
        Engine e = new Engine(c, recordMemory);
        e.loop();
        return Outcome.of(e.c, e.start, e.end, e.cause, e.memory, e.events);
    }

    private void loop() {
        for (int g = 0; g < c.count; g++) {
            if (pending[g] == 0 && c.kind[g] != CompiledProgram.RECV) {
                begin(g, 0);
            }
        }
        while (!queue.isEmpty()) {
            double now = queue.peekTime();
            long payload = queue.pop();
            events++;
            int id = Events.id(payload);
            switch (Events.type(payload)) {
                case Events.COMPUTE_END -> computeEnded(id, now);
                case Events.FLOW_START -> transfer(id, now);
                case Events.DEFERRED_BEGIN -> begin(id, now);
                case Events.COLLECTIVE_START -> {
                    double share = buckets.share(id);
                    double bytes = c.collectiveBytes[id] * share;
                    for (int m : c.collectiveMembers[id]) {
                        transportLoad(m, share, now);
                    }
                    if (bytes == 0) {
                        finishCollective(id, now);
                    } else {
                        flow(c.collectivePath[id], bytes, -id - 1, now);
                    }
                }
                case Events.FLOW_END -> {
                    if (network.current(id, Events.version(payload))) {
                        network.finish(id, now);
                        int owner = flowOwner[id];
                        if (owner == TRANSPORT_LOAD) {
                            continue; // nothing waits for a transport's CPU
                        }
                        if (owner >= c.count && c.kind[owner - c.count] == CompiledProgram.COLLECTIVE) {
                            memberDone(owner - c.count, now);
                        } else if (owner >= c.count) {
                            computeEnded(owner - c.count, now);
                        } else if (owner >= 0) {
                            arrive(owner, now);
                        } else {
                            finishCollective(-owner - 1, now);
                        }
                    }
                }
                default -> throw new IllegalStateException("unknown event " + payload);
            }
        }
        for (int g = 0; g < c.count; g++) {
            if (end[g] < 0) {
                throw new PlanException("step program deadlocks: '"
                        + c.instructions[g].name() + "' on device '" + c.deviceIds[c.device[g]] + "' never completes");
            }
        }
    }

    private void begin(int g, double now) {
        if (c.startSeconds != null && now < c.startSeconds[c.device[g]] && c.kind[g] != CompiledProgram.RECV) {
            queue.push(c.startSeconds[c.device[g]], Events.encode(Events.DEFERRED_BEGIN, 0, g)); // its device has not begun
            return;
        }
        if (c.senderSeconds != null && c.onComputeStream(g) && heldUntil[c.device[g]] > now) {
            queue.push(heldUntil[c.device[g]], Events.encode(Events.DEFERRED_BEGIN, 0, g));
            return;
        }
        start[g] = now;
        byte k = c.kind[g];
        if (c.onComputeStream(g)) {
            if (c.memoryAtStart[g] != 0) {
                memory.change(c.device[g], c.memoryAtStart[g], now);
            }
            if (c.seconds[g] == 0) {
                events++;
                complete(g, now);
            } else {
                runCompute(g, buckets.pieceSeconds(g), now);
            }
        } else if (k == CompiledProgram.SEND) {
            start[c.partner[g]] = now;
            if (c.senderSeconds != null && c.senderSeconds[g] > 0) {
                int d = c.device[g];
                heldUntil[d] = Math.max(heldUntil[d], now) + c.senderSeconds[g];
            }
            if (c.seconds[g] == 0) {
                transfer(g, now);
            } else {
                queue.push(now + c.seconds[g], Events.encode(Events.FLOW_START, 0, g));
            }
        } else if (k == CompiledProgram.COLLECTIVE) {
            int coll = c.partner[g];
            int[] members = c.collectiveMembers[coll];
            if (++ready[coll] == members.length) {
                for (int m : members) {
                    start[m] = now;
                    cause[m] = cause[g]; // what made the last member ready started the collective on every member
                }
                if (buckets.overlapped(coll)) {
                    buckets.begin(coll);
                    tryBucket(coll, now);
                } else {
                    startRun(coll, now);
                }
            }
        }
    }

    /** Starts a run of collective {@code coll} (the whole of it, or one of its buckets): its latencies first. */
    private void startRun(int coll, double now) {
        queue.push(now + c.collectiveLatency[coll] * buckets.share(coll), Events.encode(Events.COLLECTIVE_START, 0, coll));
    }

    /** Runs {@code seconds} of compute instruction {@code g} (all of it, or a piece) from {@code now}. */
    private void runCompute(int g, double seconds, double now) {
        if (c.computePath != null && c.computePath[g] != null) {
            flow(c.computePath[g], seconds, c.count + g, now);
        } else {
            queue.push(now + seconds, Events.encode(Events.COMPUTE_END, 0, g));
        }
    }

    /**
     * Compute instruction {@code g} has run its piece: a backward that gates overlapped buckets runs its next piece
     * (its progress may start a bucket), else it completes.
     */
    private void computeEnded(int g, double now) {
        if (buckets.piecesRemain(g)) {
            for (int coll : buckets.gatedBy(g)) {
                tryBucket(coll, now);
            }
            runCompute(g, buckets.pieceSeconds(g), now);
        } else {
            complete(g, now);
        }
    }

    /** Starts overlapped collective {@code coll}'s next bucket if its gradients are ready and the bucket before it ended. */
    private void tryBucket(int coll, double now) {
        if (buckets.tryStart(coll, end)) {
            if (buckets.runningLast(coll)) {
                for (int m : c.collectiveMembers[coll]) {
                    cause[m] = c.tailGate[m]; // the backward started the last bucket
                }
            }
            startRun(coll, now);
        }
    }

    /** Starts the {@code share} of {@code g}'s transport CPU on its device's host ({@link CompiledProgram#transportSeconds}). */
    private void transportLoad(int g, double share, double now) {
        if (c.transportSeconds != null && c.transportSeconds[g] > 0) {
            flow(c.transportPath[c.device[g]], c.transportSeconds[g] * share, TRANSPORT_LOAD, now);
        }
    }

    private void transfer(int send, double now) {
        transportLoad(send, 1, now);
        transportLoad(c.partner[send], 1, now);
        if (c.bytes[send] == 0 || c.path[send].length == 0) {
            events++;
            arrive(send, now);
        } else {
            flow(c.path[send], c.bytes[send], send, now);
        }
    }

    private void flow(int[] path, double bytes, int owner, double now) {
        int f = network.start(path, bytes, now);
        if (f >= flowOwner.length) {
            flowOwner = Arrays.copyOf(flowOwner, 2 * f + 2);
        }
        flowOwner[f] = owner;
    }

    /** The ring's transfer is over: each member completes, after its host work where it has some. */
    private void finishCollective(int coll, double now) {
        for (int g : c.collectiveMembers[coll]) {
            double host = c.hostSeconds == null ? 0 : c.hostSeconds[g] * buckets.share(coll);
            if (host > 0) {
                flow(c.hostPath[g], host, c.count + g, now);
            } else {
                memberDone(g, now);
            }
        }
    }

    /**
     * A collective's member is done with its transfer and host work: it completes, unless the collective overlaps a
     * backward and buckets remain (once every member is done with a bucket, the next may start).
     */
    private void memberDone(int g, double now) {
        int coll = c.partner[g];
        if (!buckets.overlapped(coll)) {
            complete(g, now);
            return;
        }
        boolean last = buckets.runningLast(coll);
        if (last) {
            complete(g, now);
        }
        if (buckets.finish(coll) && !last) {
            tryBucket(coll, now);
        }
    }

    private void arrive(int send, double now) {
        int recv = c.partner[send];
        complete(send, now);
        cause[recv] = send;
        complete(recv, now);
    }

    private void complete(int g, double now) {
        end[g] = now;
        for (int coll : buckets.gatedBy(g)) {
            tryBucket(coll, now); // the backward's end readies the last bucket
        }
        if (c.memoryAtEnd[g] != 0) {
            memory.change(c.device[g], c.memoryAtEnd[g], now);
        }
        if (c.senderSeconds == null) {
            release(g, now, false, false);
            return;
        }
        // sends first: one that holds its device's compute stream delays the compute that becomes ready with it
        release(g, now, true, true);
        release(g, now, true, false);
    }

    /**
     * Counts {@code g} done for its successors (only sends, or all but sends, when {@code byKind}), beginning the ready
     * ones; a compute-stream one a recv made ready (its device waited for the message) begins after its wake seconds.
     */
    private void release(int g, double now, boolean byKind, boolean sends) {
        for (int i = c.successorStart[g]; i < c.successorStart[g + 1]; i++) {
            int s = c.successors[i];
            if (byKind && (c.kind[s] == CompiledProgram.SEND) != sends) {
                continue;
            }
            cause[s] = g;
            if (--pending[s] == 0) {
                double wake = c.wakeSeconds == null || !c.onComputeStream(s) ? 0 : c.wakeSeconds[g];
                if (wake > 0) {
                    queue.push(now + wake, Events.encode(Events.DEFERRED_BEGIN, 0, s));
                } else {
                    begin(s, now);
                }
            }
        }
    }
}
