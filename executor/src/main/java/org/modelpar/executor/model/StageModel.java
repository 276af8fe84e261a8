package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Source;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
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
    private final Map<Integer, List<String>> lastReadBy = new HashMap<>();
    private final OpTimer timer;

    /** Receives the duration of every kernel call. */
    @FunctionalInterface
    public interface OpTimer {
        OpTimer NONE = (op, backward, nanos) -> { };

        void record(String opId, boolean backward, long nanos);
    }

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
        Map<String, Integer> lastRead = new LinkedHashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            lastRead.put(ops.get(i).id(), i);
            for (Source src : sources.get(ops.get(i).id())) {
                if (src.kind() == Source.Kind.OP && lastRead.containsKey(src.producerId())) {
                    lastRead.put(src.producerId(), i);
                }
            }
        }
        lastRead.forEach((value, i) -> {
            if (!sent.contains(value)) {
                lastReadBy.computeIfAbsent(i, x -> new ArrayList<>()).add(value);
            }
        });
    }

    /** Parameters read by this stage's ops (a tied parameter once). */
    public List<ParameterSpec> parameters() {
        return List.copyOf(parameters.values());
    }

    /** The stage's loss op (its output gradient, when given, is the loss scale). */
    public java.util.Optional<String> lossOp() {
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

    /** What a forward pass keeps for its backward pass. */
    public record Stash(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                        Map<String, List<INDArray>> saved) {
        /** The same stash without what the kernels saved (after backward). */
        public Stash inputsOnly() {
            return new Stash(inputs, data, targets, samples, Map.of());
        }

        /** Every array held: inputs, data, targets and what the kernels saved (may repeat; may hold null). */
        public List<INDArray> arrays() {
            List<INDArray> out = new ArrayList<>(inputs.values());
            out.add(data);
            out.add(targets);
            saved.values().forEach(out::addAll);
            return out;
        }

        /** Bytes held, each distinct array counted once. */
        public long bytes() {
            Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            seen.addAll(inputs.values());
            saved.values().forEach(seen::addAll);
            return seen.stream().mapToLong(Tensors::bytes).sum();
        }
    }

    /** Result of a forward pass: tensors to send, loss share (0 without a loss op) and the stash. */
    public record ForwardResult(Map<String, INDArray> outputs, double loss, Stash stash) {
    }

    /** Runs the stage forward on plain heap arrays (see {@link #forward(Map, INDArray, INDArray, int, Map, boolean, Arena)}). */
    public ForwardResult forward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                                 Map<String, INDArray> params, boolean recompute) {
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
     * @param recompute keep only the inputs in the stash; backward recomputes the rest
     */
    public ForwardResult forward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                                 Map<String, INDArray> params, boolean recompute, Arena arena) {
        Map<String, INDArray> kept = new LinkedHashMap<>();
        inputs.forEach((k, v) -> kept.put(k, arena.keep(v)));
        INDArray rows = arena.keep(data);
        INDArray labels = arena.keep(targets);
        Map<String, INDArray> values = new LinkedHashMap<>(kept);
        Map<String, List<INDArray>> saved = new LinkedHashMap<>();
        Set<DataBuffer> savedMemory = Collections.newSetFromMap(new IdentityHashMap<>());
        double loss = 0;
        for (int i = 0; i < ops.size(); i++) {
            OpNode op = ops.get(i);
            List<INDArray> in = resolve(op.id(), values, rows, labels);
            Kernel kernel = kernels.get(op.id());
            Kernel.Forward f = arena.call(() -> {
                long start = System.nanoTime();
                Kernel.Forward r = kernel.forward(in, params, samples);
                timer.record(op.id(), false, System.nanoTime() - start);
                return keep(r, arena);
            });
            values.put(op.id(), f.output());
            saved.put(op.id(), f.saved());
            f.saved().forEach(a -> savedMemory.add(Tensors.root(a)));
            if (Kernels.isLoss(op)) {
                loss += f.output().getDouble(0);
            }
            // a value no later op reads and no kernel saved is dead now (as its reference count drops to 0)
            List<INDArray> dying = new ArrayList<>();
            lastReadBy.getOrDefault(i, List.of()).forEach(v -> dying.add(values.remove(v)));
            arena.release(unshared(dying, values.values()).stream()
                    .filter(a -> !savedMemory.contains(Tensors.root(a))).toList());
        }
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String p : sent) {
            outputs.put(p, values.get(p));
        }
        Stash stash = new Stash(Map.copyOf(kept), rows, labels, samples, recompute ? Map.of() : saved);
        List<INDArray> live = new ArrayList<>(stash.arrays());
        live.addAll(outputs.values());
        values.keySet().removeAll(kept.keySet());
        List<INDArray> candidates = new ArrayList<>(values.values());
        if (recompute) {
            saved.values().forEach(candidates::addAll);
        }
        arena.release(unshared(candidates, live));
        return new ForwardResult(outputs, loss, stash);
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
     * the op order are live at once; a recomputed forward is handed back at the end.
     *
     * @param outputGrads gradients of the sent tensors (empty for the last stage; the loss op's: the loss scale)
     */
    public Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads,
                                          Map<String, INDArray> params, Map<String, INDArray> grads, Arena arena) {
        Map<String, List<INDArray>> saved = stash.saved();
        ForwardResult again = null;
        if (saved.isEmpty() && !ops.isEmpty()) {
            again = forward(stash.inputs(), stash.data(), stash.targets(), stash.samples(), params, false, arena);
            saved = again.stash().saved();
        }
        Map<String, INDArray> g = new LinkedHashMap<>();
        outputGrads.forEach((k, v) -> g.put(k, arena.copy(v)));
        List<OpNode> reversed = new ArrayList<>(ops);
        Collections.reverse(reversed);
        for (OpNode op : reversed) {
            INDArray gradOut = g.remove(op.id());
            if (gradOut == null && !Kernels.isLoss(op)) {
                continue;
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
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String p : received) {
            INDArray d = g.get(p);
            out.put(p, d != null ? d : arena.copy(stash.inputs().get(p)).assign(0));
        }
        if (again != null) {
            List<INDArray> dead = new ArrayList<>(again.outputs().values());
            again.stash().saved().values().forEach(dead::addAll);
            arena.release(unshared(dead, stash.arrays()));
        }
        return out;
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

    /** A kernel's output and saved arrays kept past its scope, the same array always to the same copy. */
    private static Kernel.Forward keep(Kernel.Forward f, Arena arena) {
        Map<INDArray, INDArray> copies = new IdentityHashMap<>();
        INDArray output = copies.computeIfAbsent(f.output(), arena::keep);
        return new Kernel.Forward(output, f.saved().stream().map(a -> copies.computeIfAbsent(a, arena::keep)).toList());
    }

    /** The arrays among {@code candidates} that share no memory with any of {@code live}. */
    private static List<INDArray> unshared(Collection<INDArray> candidates, Collection<INDArray> live) {
        Set<DataBuffer> held = Collections.newSetFromMap(new IdentityHashMap<>());
        live.forEach(a -> {
            if (a != null) {
                held.add(Tensors.root(a));
            }
        });
        return candidates.stream().filter(a -> !held.contains(Tensors.root(a))).toList();
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
