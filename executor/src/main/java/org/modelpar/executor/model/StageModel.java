package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.modelpar.executor.kernel.ExpertGroup;
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
 * One stage's ops wired into a forward and a backward pass (a layer's experts in its expert member's order). Inputs are the
 * boundary tensors received from the previous stage (keyed by producer op id) plus the step's input data and targets;
 * outputs are the boundary tensors for the next stage and the stage's share of the loss.
 */
public final class StageModel {
    private final List<OpNode> ops;
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    private final Map<String, List<Source>> sources = new LinkedHashMap<>();
    private final List<String> received;
    private final List<String> sent;
    private final Map<String, ParameterSpec> parameters = new LinkedHashMap<>();
    private final OpTimer timer;
    private final Map<Recompute, Segments> segments = new EnumMap<>(Recompute.class);
    private final ForwardRunner runner;
    private final Map<String, List<String>> gradientsCompletedBy;
    private final List<String> splitExpertParameters;

    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize) {
        this(graph, boundary, stage, globalBatchSize, OpTimer.NONE);
    }

    /** A stage whose every kernel call is timed (calibration of the cost model). */
    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize, OpTimer timer) {
        this(graph, boundary, stage, globalBatchSize, timer, TensorParallel.NONE, ExpertGroup.SOLO);
    }

    /**
     * The stage on one rank of a tensor-parallel group (its kernels hold their parts and call the group's collectives)
     * and one member of an expert-parallel group (it holds the member's experts only).
     */
    public StageModel(ComputationGraph graph, Boundary boundary, int stage, int globalBatchSize, OpTimer timer, TensorParallel tp,
                      ExpertGroup experts) {
        this.timer = timer;
        this.ops = org.modelpar.executor.kernel.ExpertOrder.heldFirst(boundary.ops(stage), experts);
        this.received = boundary.received(stage);
        this.sent = boundary.sent(stage);
        for (OpNode op : ops) {
            Kernel k = Kernels.create(op, globalBatchSize, tp, experts);
            kernels.put(op.id(), k);
            sources.put(op.id(), Kernels.sources(graph, op));
            k.parameters().forEach(p -> parameters.putIfAbsent(p.name(), p));
        }
        for (Recompute mode : Recompute.values()) {
            segments.put(mode, new Segments(TensorSplit.of(graph), mode, ops, sources));
        }
        this.runner = new ForwardRunner(ops, kernels, sources, LastReaders.of(ops, sources, sent), segments, timer);
        this.gradientsCompletedBy = LastReaders.ofParameters(ops, kernels);
        this.splitExpertParameters = experts.size() == 1 ? List.of() : ops.stream().filter(op -> op.kind().equals("moe-expert"))
                .flatMap(op -> kernels.get(op.id()).parameters().stream()).map(ParameterSpec::name).toList();
    }

    /** With expert parallelism, the parameters of the routed experts this stage holds (none without). */
    public List<String> splitExpertParameters() {
        return splitExpertParameters;
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
        double loss = runner.run(IntStream.range(0, ops.size()).boxed().toList(), values, rows, labels, samples, params, arena, saved, savedMemory,
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
        return backward(stash, outputGrads, params, grads, arena, op -> { });
    }

    /**
     * {@link #backward(Stash, Map, Map, Map, Arena)} that tells {@code gradientsDone} each op whose parameter gradients
     * it has just added (see {@link #gradientsCompletedBy()}).
     */
    public Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> params,
                                          Map<String, INDArray> grads, Arena arena, Consumer<String> gradientsDone) {
        return backward(stash, outputGrads, params, grads, null, null, arena, gradientsDone);
    }

    /**
     * For each op with parameters, in backward order, the parameters whose gradients are complete once its backward
     * (or weight-gradient pass) has added its share: those no op before it in the stage reads.
     */
    public Map<String, List<String>> gradientsCompletedBy() {
        return gradientsCompletedBy;
    }

    /** The stage's parameters in the order its backward completes their gradients ({@link #gradientsCompletedBy()}). */
    public List<String> completionOrder() {
        return gradientsCompletedBy.values().stream().flatMap(List::stream).toList();
    }

    /** The input-gradient pass of a split backward: the gradients of the received tensors, and what its weight pass needs. */
    public record InputPass(Map<String, INDArray> inputGrads, WeightStash weights) {
    }

    /**
     * The input-gradient part of {@link #backward(Stash, Map, Map, Map, Arena)} (ZB-H1's B): every op's input
     * gradients, no parameter gradient; the output gradients and saved tensors of the ops with parameters are kept
     * for {@link #weightGradients}. Every kernel of the stage must split its backward ({@link Kernel#splitsBackward()}).
     */
    public InputPass inputGradients(Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> params, Arena arena) {
        Map<String, INDArray> deferredGrads = new LinkedHashMap<>();
        Map<String, List<INDArray>> deferredSaved = new LinkedHashMap<>();
        Map<String, INDArray> inputGrads = backward(stash, outputGrads, params, null, deferredGrads, deferredSaved, arena, op -> { });
        return new InputPass(inputGrads, new WeightStash(deferredGrads, deferredSaved));
    }

    /** The weight-gradient part (ZB-H1's W): adds the parameter gradients of the ops {@code weights} holds into {@code grads}. */
    public void weightGradients(WeightStash weights, Map<String, INDArray> params, Map<String, INDArray> grads, Arena arena,
                                Consumer<String> gradientsDone) {
        weights.outputGrads().forEach((op, gradOut) -> {
            arena.call(() -> {
                long start = System.nanoTime();
                Map<String, INDArray> d = kernels.get(op).weightGradients(gradOut, weights.saved().get(op), params);
                timer.record(op, true, System.nanoTime() - start);
                d.forEach((name, v) -> grads.get(name).addi(v));
                return d;
            });
            gradientsDone.accept(op);
        });
    }

    /**
     * The backward of every op in reverse order: the whole backward into {@code grads}, or with {@code deferredGrads}
     * (a split backward) only the input gradients, keeping the output gradient and saved tensors of each op with
     * parameters in {@code deferredGrads} and {@code deferredSaved}.
     */
    private Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> params,
                                           Map<String, INDArray> grads, Map<String, INDArray> deferredGrads,
                                           Map<String, List<INDArray>> deferredSaved, Arena arena,
                                           Consumer<String> gradientsDone) {
        boolean split = deferredGrads != null;
        Map<String, List<INDArray>> saved = new LinkedHashMap<>(stash.saved());
        List<INDArray> rebuilt = new ArrayList<>();
        Map<String, INDArray> g = new LinkedHashMap<>();
        outputGrads.forEach((k, v) -> g.put(k, arena.copy(v)));
        for (int i = ops.size() - 1; i >= 0; i--) {
            OpNode op = ops.get(i);
            INDArray gradOut = g.remove(op.id());
            if (gradOut != null || Kernels.isLoss(op)) {
                if (!saved.containsKey(op.id())) {
                    rebuilt.addAll(runner.rebuild(i, stash, params, saved, arena));
                }
                List<INDArray> opSaved = saved.get(op.id());
                Kernel kernel = kernels.get(op.id());
                arena.call(() -> {
                    long start = System.nanoTime();
                    Kernel.Backward b = split ? new Kernel.Backward(kernel.inputGradients(gradOut, opSaved, params), Map.of())
                            : kernel.backward(gradOut, opSaved, params);
                    timer.record(op.id(), true, System.nanoTime() - start);
                    b.paramGrads().forEach((name, d) -> grads.get(name).addi(d));
                    List<INDArray> inputGrads = b.inputGrads();
                    accumulate(op, inputGrads, g, arena);
                    return inputGrads;
                });
                if (!split && !kernel.parameters().isEmpty()) {
                    gradientsDone.accept(op.id());
                }
                if (split && kernel.runsWeightPass()) {
                    deferredGrads.put(op.id(), gradOut);
                    deferredSaved.put(op.id(), opSaved);
                } else if (gradOut != null) {
                    arena.release(List.of(gradOut));
                }
            }
            if (segments.get(stash.recomputation()).opensSegment(i) && !rebuilt.isEmpty()) {
                // the segment's backward is done: what its rebuild saved dies before the next segment is rebuilt
                List<INDArray> live = new ArrayList<>(stash.arrays());
                if (split) {
                    live.addAll(new WeightStash(deferredGrads, deferredSaved).arrays());
                }
                arena.release(Tensors.unshared(rebuilt, live));
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

    /** Adds an op's input gradients to the gradients of their producers (a kept copy for the first). */
    private void accumulate(OpNode op, List<INDArray> inputGrads, Map<String, INDArray> g, Arena arena) {
        List<Source> src = sources.get(op.id());
        for (int i = 0; i < src.size(); i++) {
            INDArray d = inputGrads.get(i);
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
}
