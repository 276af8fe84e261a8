package org.modelpar.executor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.ExpertAllReduce;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.ReduceScatter;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A worker's gradient collectives between its backward passes and its optimizer step: the data-parallel
 * all-reduce of a stage's gradients over the program's group, either when its instruction runs or, overlapped
 * with the stage's last backward pass, in buckets on the worker's communication thread ({@link BucketedReduce});
 * the all-reduce of a weight tied across stages; with ZeRO stage 1 the reduce-scatter of the gradients once a step,
 * with stage 2 of each parameter unit's gradients during every backward ({@link UnitBuckets}, {@link ShardedGradients}),
 * and with both the all-gather of the updated parameters ({@link ZeroShards}); with expert parallelism the all-reduce
 * of the held experts' gradients over the replicas holding the same experts.
 */
final class GradientSync {
    /**
     * An overlapped reduction (all-reduce, or ZeRO's reduce-scatter) started by its instruction, whose buckets
     * {@code reducer} runs, waited for before the gradients are read.
     */
    private record Armed(BucketedReduce reduce, BucketedReduce.Reducer reducer, int step, int index, Collective instruction,
                         long startNanos) {
    }

    private final String device;
    private final DeviceState state;
    private final RunContext run;
    private final Map<Integer, List<String>> parametersOf;
    private final Set<String> splitExperts;
    private final ExpertReduce experts;
    private final Map<Integer, Armed> armed = new LinkedHashMap<>();
    /** ZeRO: the stages whose gradients are reduce-scattered in this step, until their parameters are gathered. */
    private final Map<Integer, ZeroShards> sharded = new HashMap<>();
    /** Each group's shards, kept from step to step with the views they cut ({@link ZeroShards}). */
    private final Map<List<String>, ZeroShards> shardsByGroup = new HashMap<>();
    /** ZeRO stage 2: each stage's gradient buckets, reduce-scattered during every backward. */
    private final Map<Integer, UnitBuckets> buckets = new HashMap<>();
    private final DeviceThreads threads;

    /**
     * @param parametersOf the parameters each stage the device runs updates (each parameter under one stage)
     * @param splitExperts the routed experts' parameters under expert parallelism, which the data-parallel reductions
     *                     leave to {@link ExpertReduce}
     * @param threads      the device's threads, whose {@link DeviceThreads.Role#COMM} one runs the overlapped buckets
     */
    GradientSync(String device, DeviceState state, RunContext run, Map<Integer, List<String>> parametersOf,
                 Set<String> splitExperts, DeviceThreads threads) {
        this.device = device;
        this.threads = threads;
        this.state = state;
        this.run = run;
        this.parametersOf = Map.copyOf(parametersOf);
        this.splitExperts = Set.copyOf(splitExperts);
        this.experts = new ExpertReduce(device, state, run, this.parametersOf, this.splitExperts);
    }

    /** The parameters that {@code stage}'s chunk updates. */
    List<String> parametersOf(int stage) {
        return parametersOf.get(stage);
    }

    /**
     * Runs {@code a}, instruction {@code index} of the program: a ring all-reduce of the gradients of its stage over
     * its group, or of a tied weight's (after waiting for the overlapped ones); an overlapped one only starts here:
     * its buckets run as {@link #completed} reports their gradients, and {@link #awaitOverlapped} records its span.
     *
     * @param completedBy with an overlapped {@code a}, the stage's parameters each op completes, in the order its last pass
     *                    completes them
     */
    void allReduce(int step, int index, AllReduce a, Map<String, List<String>> completedBy) throws InterruptedException {
        if (a.overlapsBackward()) {
            arm(step, index, a, a.group(), completedBy, this::allReduceBucket);
            return;
        }
        if (!a.tiedOp().isEmpty()) {
            awaitOverlapped();
            tiedReduce(step, a);
            return;
        }
        run.collectives().allReduce("step " + step + " " + a.name(), device, a.group(), gradientsOf(a.stage()), run.control());
    }

    /** Starts an overlapped reduction of {@code c}'s stage: its buckets run as {@link #completed} reports their gradients. */
    private void arm(int step, int index, Collective c, List<String> group, Map<String, List<String>> completedBy,
                     BucketedReduce.Reducer reducer) {
        List<String> reduced = parametersOf(c.stage()).stream().filter(n -> !splitExperts.contains(n)).toList();
        armed.put(c.stage(), new Armed(BucketedReduce.of("step " + step + " " + c.name(), group, completedBy.values(), reduced,
                state.grads), reducer, step, index, c, run.ticker().nanos()));
    }

    /**
     * ZeRO: reduce-scatters the gradients of {@code rs}'s stage over its group, so that this device holds the sums of
     * its part of every parameter's gradient (zeros elsewhere) and updates only that part ({@link #shardsOf}). An
     * overlapped one only starts here, in buckets as for the all-reduce: each bucket's tensors are cut into the same
     * parts, so every replica ends with the same sums of its parts as after one reduce-scatter of the whole stage.
     *
     * @param completedBy with an overlapped {@code rs}, the stage's parameters each op completes, in the order its last
     *                    pass completes them
     */
    void reduceScatter(int step, int index, ReduceScatter rs, Map<String, List<String>> completedBy) throws InterruptedException {
        ZeroShards shards = shardsByGroup.computeIfAbsent(rs.group(), g -> new ZeroShards(g.indexOf(device), g.size()));
        sharded.put(rs.stage(), shards);
        if (rs.unit() >= 0) {
            reduceScatterUnit(step, index, rs);
            return;
        }
        if (rs.overlapsBackward()) {
            arm(step, index, rs, rs.group(), completedBy, (id, group, tensors) -> reduceScatterBucket(id, group, shards, tensors));
            return;
        }
        reduceScatterBucket("step " + step + " " + rs.name(), rs.group(), shards, gradientsOf(rs.stage()));
    }

    /** ZeRO stage 2: reduces {@code stage}'s gradients in the buckets of {@code units} during every backward. */
    void reducePerUnit(int stage, UnitBuckets units) {
        buckets.put(stage, units);
    }

    /**
     * ZeRO stage 2: the reduce-scatter of one unit's gradients after a backward. It ran when the backward completed
     * them ({@link #completed}); else (a unit whose ops got no gradient) it runs now. Records when it ran.
     */
    private void reduceScatterUnit(int step, int index, ReduceScatter rs) throws InterruptedException {
        UnitBuckets b = buckets.get(rs.stage());
        if (b.pending(rs.unit())) {
            reduceUnit(step, rs.stage(), rs.microBatch(), rs.unit());
        }
        long[] span = b.take(rs.unit());
        run.record(new Span(device, step, index, rs, run.seconds(span[0]), run.seconds(span[1])), state.ledger.liveBytes(),
                state.ledger.liveBytes());
    }

    /** Reduce-scatters unit {@code u} of {@code stage}: this device adds its part of the sums to its gradient parts. */
    private void reduceUnit(int step, int stage, int mb, int u) throws InterruptedException {
        UnitBuckets b = buckets.get(stage);
        long start = run.ticker().nanos();
        List<String> names = b.unit(u);
        if (!names.isEmpty()) {
            ShardedGradients grads = state.sharded.orElseThrow();
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray flat = grads.pack(names, run.collectives());
                String id = "step " + step + " " + new ReduceScatter(stage, b.group(), 0, true, mb, u).name();
                run.collectives().reduceScatter(id, device, b.group(), flat, run.control());
                grads.addOwn(flat, names);
                run.collectives().giveBack(flat);
            }
        }
        b.reduced(u, start, run.ticker().nanos());
    }

    private long reduceScatterBucket(String id, List<String> group, ZeroShards shards, Map<String, INDArray> grads)
            throws InterruptedException {
        INDArray flat = shards.pack(grads, run.collectives());
        run.collectives().reduceScatter(id, device, group, flat, run.control());
        shards.unpackOwn(flat, grads);
        run.collectives().giveBack(flat);
        return run.ticker().nanos();
    }

    /** ZeRO: all-gathers the parts of {@code g}'s stage's parameters that the replicas updated, into every replica. */
    void gatherParameters(int step, AllGather g) throws InterruptedException {
        if (g.phase() != AllGather.Phase.AFTER_STEP) {
            throw new IllegalStateException("the executor gathers parameters only after the optimizer step (ZeRO 1), not "
                    + g.name());
        }
        ZeroShards shards = shardsOf(g.stage()).orElseThrow(() -> new IllegalStateException(g.name()
                + " without a reduce-scatter of the stage's gradients before it"));
        Map<String, INDArray> params = new LinkedHashMap<>();
        parametersOf(g.stage()).forEach(n -> params.put(n, state.params.get(n)));
        INDArray flat = shards.pack(params, run.collectives());
        run.collectives().allGather("step " + step + " " + g.name(), device, g.group(), flat, run.control());
        shards.unpackAll(flat, params);
        run.collectives().giveBack(flat);
        state.refresh(params.keySet());
        sharded.remove(g.stage());
    }

    /** The part of each of {@code stage}'s parameters this device updates in this step: all (empty) unless reduce-scattered. */
    Optional<ZeroShards> shardsOf(int stage) {
        return Optional.ofNullable(sharded.get(stage));
    }

    /** Whether {@code in} is recorded by {@link #awaitOverlapped} rather than when its instruction ends. */
    static boolean recordsItself(Instruction in) {
        return in instanceof AllReduce a && a.overlapsBackward() || in instanceof ReduceScatter rs && rs.overlapsBackward()
                || in instanceof ExpertAllReduce x && x.overlapsBackward();
    }

    /**
     * The gradients {@code names} of {@code stage} are complete in the backward of micro-batch {@code mb}: starts the
     * overlapped buckets they complete, or under ZeRO stage 2 reduce-scatters the units they complete.
     */
    void completed(int step, int stage, int mb, List<String> names) throws InterruptedException {
        Armed a = armed.get(stage);
        if (a != null) {
            a.reduce().completed(names, comm(), a.reducer());
        }
        UnitBuckets b = buckets.get(stage);
        if (b != null) {
            for (int u : b.completed(names)) {
                reduceUnit(step, stage, mb, u);
            }
        }
    }

    /** {@code stage}'s last pass is over: starts the rest of its overlapped buckets. */
    void passDone(int stage) {
        Armed a = armed.get(stage);
        if (a != null) {
            a.reduce().flush(comm(), a.reducer());
        }
    }

    /** Waits for every overlapped all-reduce, recording each one's span from its instruction to its last bucket. */
    void awaitOverlapped() throws InterruptedException {
        for (Armed a : armed.values()) {
            a.reduce().flush(comm(), a.reducer());
            long end = a.reduce().await(a.startNanos());
            run.record(new Span(device, a.step(), a.index(), a.instruction(), run.seconds(a.startNanos()), run.seconds(end)),
                    state.ledger.liveBytes(), state.ledger.liveBytes());
        }
        armed.clear();
        experts.runDeferred();
    }

    private long allReduceBucket(String id, List<String> group, Map<String, INDArray> tensors) throws InterruptedException {
        run.collectives().allReduce(id, device, group, tensors, run.control());
        return run.ticker().nanos();
    }

    private ExecutorService comm() {
        return threads.of(DeviceThreads.Role.COMM);
    }

    /** The gradients of {@code stage}'s parameters that its data-parallel reductions sum (all but split experts'). */
    private Map<String, INDArray> gradientsOf(int stage) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        parametersOf.get(stage).stream().filter(name -> !splitExperts.contains(name)).forEach(name -> out.put(name, state.grads.get(name)));
        return out;
    }

    /** Runs {@code x}, the all-reduce of the held experts' gradients ({@link ExpertReduce}). */
    void expertReduce(int step, int index, ExpertAllReduce x) throws InterruptedException {
        experts.reduce(step, index, x);
    }

    /**
     * Adds the gradients of {@code a.tiedOp()}'s weights held by several stages: one summand per stage, zeros from the
     * rest; after a ZeRO reduce-scatter, every member's part (the parts of a stage's replicas make up its sum).
     */
    private void tiedReduce(int step, AllReduce a) throws InterruptedException {
        for (RunContext.Tied tied : run.tiedGroups(device)) {
            if (!tied.parameter().startsWith(a.tiedOp() + ".")) {
                continue;
            }
            if (!Set.copyOf(tied.members()).equals(Set.copyOf(a.group()))) {
                throw new IllegalStateException(a.name() + " runs over " + a.group() + " but " + tied.parameter()
                        + " is held by " + tied.members());
            }
            INDArray grad = state.sharded.map(g -> g.expand(tied.parameter())).orElseGet(() -> state.grads.get(tied.parameter()));
            // reduce-scattered replicas each hold their part of the sum (zeros elsewhere): all of them add theirs
            boolean adds = tied.summands().contains(device) || !sharded.isEmpty();
            run.collectives().allReduce("step " + step + " tied " + tied.parameter(), device, tied.members(),
                    Map.of(tied.parameter(), adds ? grad : grad.assign(0)), run.control());
            state.sharded.ifPresent(g -> g.collapse(tied.parameter()));
        }
    }
}
