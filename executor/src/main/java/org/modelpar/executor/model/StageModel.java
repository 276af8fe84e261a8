package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Source;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.TensorSplit;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One stage's ops wired into a forward and a backward pass. Inputs are the boundary tensors received
 * from the previous stage (keyed by producer op id) plus the step's input data and targets; outputs are
 * the boundary tensors for the next stage and the stage's share of the loss.
 */
public final class StageModel {
    private final List<OpNode> ops;
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    private final Map<String, List<Source>> sources = new LinkedHashMap<>();
    private final List<String> received;
    private final List<String> sent;
    private final Map<String, ParameterSpec> parameters = new LinkedHashMap<>();
    /** Per op index, the stage's values that op is the last to read (never the sent ones). */
    private final Map<Integer, List<String>> lastReadBy;
    private final OpTimer timer;
    private final Map<Recompute, Segments> segments = new EnumMap<>(Recompute.class);

    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize) {
        this(graph, boundary, stage, globalBatchSize, OpTimer.NONE);
    }

    /** A stage whose every kernel call is timed (calibration of the cost model). */
    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize, OpTimer timer) {
        this(graph, boundary, stage, globalBatchSize, timer, TensorParallel.NONE);
    }

    /** The stage on one rank of a tensor-parallel group: its kernels hold their parts and call the group's collectives. */
    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize, OpTimer timer, TensorParallel tp) {
        this.timer = timer;
        this.ops = boundary.ops(stage);
        this.received = boundary.received(stage);
        this.sent = boundary.sent(stage);
        for (OpNode op : ops) {
            Kernel k = Kernels.create(op, globalBatchSize, tp);
            kernels.put(op.id(), k);
            sources.put(op.id(), Kernels.sources(graph, op));
            k.parameters().forEach(p -> parameters.putIfAbsent(p.name(), p));
        }
        for (Recompute mode : Recompute.values()) {
            segments.put(mode, new Segments(TensorSplit.of(graph), mode, ops, sources));
        }
        lastReadBy = LastReaders.of(ops, sources, sent);
    }

    /** Parameters read by this stage's ops (a tied parameter once). */
    public List<ParameterSpec> parameters() {
        return List.copyOf(parameters.values());
    }

    /** The stage's loss op (its output gradient, when given, is the loss scale). */
    public Optional<String> lossOp() {
        return ops.stream().filter(Kernels::isLoss).map(OpNode::id).findFirst();
    }

    /** Producers whose outputs this stage receives. */
    public List<String> received() {
        return received;
    }

    /** Producers whose outputs this stage sends on. */
    public List<String> sent() {
        return sent;
    }

    /** Result of a forward pass: tensors to send, loss share (0 without a loss op) and the stash. */
    public record ForwardResult(Map<String, INDArray> outputs, double loss, Stash stash) {
    }

    /** Runs the stage forward on plain heap arrays (see {@link #forward(Map, INDArray, INDArray, int, Map, Recompute, Arena)}). */
    public ForwardResult forward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                                 Map<String, INDArray> params, Recompute recompute) {
        return forward(inputs, data, targets, samples, params, recompute, Arena.HEAP);
    }

    /**
     * Runs the stage forward, each kernel call in its own scope of {@code arena}; the stash and the outputs
     * are kept, every other intermediate value is handed back before returning.
     *
     * @param inputs    received boundary tensors by producer id
     * @param data      input data rows of these samples (used by stage 0)
     * @param targets   target rows of these samples (used by the loss op)
     * @param samples   sample count
     * @param recompute what the stash leaves out: ops in recompute segments save nothing, each segment's
     *                  checkpoint is kept instead ({@link Segments}); backward rebuilds one segment at a time
     */
    public ForwardResult forward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                                 Map<String, INDArray> params, Recompute recompute, Arena arena) {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        inputs.forEach((k, v) -> kept.put(k, arena.keep(v)));
        INDArray rows = arena.keep(data);
        INDArray labels = arena.keep(targets);
        Map<String, INDArray> values = new LinkedHashMap<>(kept);
        Map<String, List<INDArray>> saved = new LinkedHashMap<>();
        Set<DataBuffer> savedMemory = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, INDArray> checkpoints = new LinkedHashMap<>();
        double loss = run(IntStream.range(0, ops.size()).boxed().toList(), values, rows, labels, samples, params, arena, saved, savedMemory,
                segments.get(recompute), checkpoints);
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String p : sent) {
            outputs.put(p, values.get(p));
        }
        Stash stash = new Stash(kept, rows, labels, samples, recompute, saved, checkpoints);
        List<INDArray> live = new ArrayList<>(stash.arrays());
        live.addAll(outputs.values());
        values.keySet().removeAll(kept.keySet());
        arena.release(Tensors.unshared(values.values(), live));
        return new ForwardResult(outputs, loss, stash);
    }

    /**
     * Runs the ops at {@code indices} (in order) forward, reading and adding to {@code values}, putting what each
     * kernel saves into {@code saved}; a value no later op reads and no kernel saved is handed back as soon as its
     * last reader is done (as its reference count drops to 0), unless its memory is in {@code keep}. Ops in
     * {@code stashing}'s segments save nothing; the values its segments read go to {@code checkpoints} and are
     * kept. Returns the loss share computed.
     */
    private double run(List<Integer> indices, Map<String, INDArray> values, INDArray rows, INDArray labels, int samples,
                       Map<String, INDArray> params, Arena arena, Map<String, List<INDArray>> saved, Set<DataBuffer> keep,
                       Segments stashing, Map<String, INDArray> checkpoints) {
        double loss = 0;
        for (int i : indices) {
            OpNode op = ops.get(i);
            List<INDArray> in = resolve(op.id(), values, rows, labels);
            Kernel kernel = kernels.get(op.id());
            Kernel.Forward f = arena.call(() -> {
                long start = System.nanoTime();
                Kernel.Forward r = kernel.forward(in, params, samples);
                timer.record(op.id(), false, System.nanoTime() - start);
                return arena.keep(r);
            });
            values.put(op.id(), f.output());
            if (stashing.rebuilt(i)) {
                // recomputed in backward: what the kernel saved dies with the values it holds
                release(f.saved(), values.values(), keep, arena);
            } else {
                saved.put(op.id(), f.saved());
                f.saved().forEach(a -> keep.add(Tensors.root(a)));
            }
            if (stashing.checkpointed(op.id())) {
                checkpoints.put(op.id(), f.output());
                keep.add(Tensors.root(f.output()));
            }
            if (Kernels.isLoss(op)) {
                loss += f.output().getDouble(0);
            }
            List<INDArray> dying = new ArrayList<>();
            lastReadBy.getOrDefault(i, List.of()).forEach(v -> {
                INDArray a = values.remove(v);
                if (a != null) {
                    dying.add(a);
                }
            });
            release(dying, values.values(), keep, arena);
        }
        return loss;
    }

    /** Hands back the arrays among {@code dead} that share memory with none of {@code live} and none of {@code keep}. */
    private static void release(List<INDArray> dead, Collection<INDArray> live, Set<DataBuffer> keep, Arena arena) {
        arena.release(Tensors.unshared(dead, live).stream().filter(a -> !keep.contains(Tensors.root(a))).toList());
    }

    /** Runs the stage backward on plain heap arrays (see {@link #backward(Stash, Map, Map, Map, Arena)}). */
    public Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads,
                                          Map<String, INDArray> params, Map<String, INDArray> grads) {
        return backward(stash, outputGrads, params, grads, Arena.HEAP);
    }

    /**
     * Runs the stage backward, adding parameter gradients into {@code grads}; returns the gradients of
     * the received tensors by producer id, kept in {@code arena}. A gradient is handed back as soon as the
     * op that consumes it is done (as autograd frees it), so at most the gradients crossing one point of
     * the op order are live at once. Under full recomputation a segment's forward is re-run when its backward
     * starts, and what it saved is handed back when its backward ends.
     *
     * @param outputGrads gradients of the sent tensors (empty for the last stage; the loss op's: the loss scale)
     */
    public Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads,
                                          Map<String, INDArray> params, Map<String, INDArray> grads, Arena arena) {
        Map<String, List<INDArray>> saved = new LinkedHashMap<>(stash.saved());
        List<INDArray> rebuilt = new ArrayList<>();
        Map<String, INDArray> g = new LinkedHashMap<>();
        outputGrads.forEach((k, v) -> g.put(k, arena.copy(v)));
        for (int i = ops.size() - 1; i >= 0; i--) {
            OpNode op = ops.get(i);
            INDArray gradOut = g.remove(op.id());
            if (gradOut != null || Kernels.isLoss(op)) {
                if (!saved.containsKey(op.id())) {
                    rebuilt.addAll(rebuild(i, stash, params, saved, arena));
                }
                List<INDArray> opSaved = saved.get(op.id());
                arena.call(() -> {
                    long start = System.nanoTime();
                    Kernel.Backward b = kernels.get(op.id()).backward(gradOut, opSaved, params);
                    timer.record(op.id(), true, System.nanoTime() - start);
                    b.paramGrads().forEach((name, d) -> grads.get(name).addi(d));
                    accumulate(op, b, g, arena);
                    return b;
                });
                if (gradOut != null) {
                    arena.release(List.of(gradOut));
                }
            }
            if (segments.get(stash.recomputation()).opensSegment(i) && !rebuilt.isEmpty()) {
                // the segment's backward is done: what its rebuild saved dies before the next segment is rebuilt
                arena.release(Tensors.unshared(rebuilt, stash.arrays()));
                rebuilt.clear();
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String p : received) {
            INDArray d = g.get(p);
            out.put(p, d != null ? d : arena.copy(stash.inputs().get(p)).assign(0));
        }
        return out;
    }

    /**
     * Re-runs the forward of op {@code index}'s recompute segment from the stash's checkpoints and inputs, putting
     * what its kernels save into {@code saved}; values the segment's backward does not read are handed back at
     * once. Returns the saved arrays to hand back once the segment's backward is done.
     */
    private List<INDArray> rebuild(int index, Stash stash, Map<String, INDArray> params, Map<String, List<INDArray>> saved,
                                   Arena arena) {
        Map<String, INDArray> values = new LinkedHashMap<>(stash.inputs());
        values.putAll(stash.checkpoints());
        Set<String> before = Set.copyOf(values.keySet());
        Set<DataBuffer> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        stash.arrays().forEach(a -> keep.add(Tensors.root(a)));
        Map<String, List<INDArray>> again = new LinkedHashMap<>();
        run(segments.get(stash.recomputation()).segmentOf(index), values, stash.data(), stash.targets(), stash.samples(),
                params, arena, again, keep, segments.get(Recompute.NONE), new LinkedHashMap<>());
        saved.putAll(again);
        List<INDArray> savedAgain = new ArrayList<>();
        again.values().forEach(savedAgain::addAll);
        values.keySet().removeAll(before);
        List<INDArray> live = new ArrayList<>(stash.arrays());
        live.addAll(savedAgain);
        arena.release(Tensors.unshared(values.values(), live));
        return Tensors.unshared(savedAgain, stash.arrays());
    }

    /** Adds an op's input gradients to the gradients of their producers (a kept copy for the first). */
    private void accumulate(OpNode op, Kernel.Backward b, Map<String, INDArray> g, Arena arena) {
        List<Source> src = sources.get(op.id());
        for (int i = 0; i < src.size(); i++) {
            INDArray d = b.inputGrads().get(i);
            if (src.get(i).kind() == Source.Kind.OP && d != null) {
                INDArray sum = g.get(src.get(i).producerId());
                if (sum == null) {
                    g.put(src.get(i).producerId(), arena.copy(d));
                } else {
                    sum.addi(d);
                }
            }
        }
    }

    private List<INDArray> resolve(String opId, Map<String, INDArray> values, INDArray data, INDArray targets) {
        List<INDArray> in = new ArrayList<>();
        for (Source s : sources.get(opId)) {
            in.add(switch (s.kind()) {
                case OP -> values.get(s.producerId());
                case INPUT -> data;
                case TARGETS -> targets;
            });
        }
        return in;
    }
}
