package org.modelpar.executor.model;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Source;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.TensorSplit;
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
    private final List<List<Integer>> unitOps;
    /** The unit of each op, by op index. */
    private final int[] unitOf;

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
        Map<String, Integer> index = new HashMap<>();
        IntStream.range(0, ops.size()).forEach(i -> index.put(ops.get(i).id(), i));
        this.unitOps = ParameterUnit.layers(ops).stream().map(unit -> unit.stream().map(op -> index.get(op.id())).toList()).toList();
        this.unitOf = new int[ops.size()];
        IntStream.range(0, unitOps.size()).forEach(u -> unitOps.get(u).forEach(i -> unitOf[i] = u));
        this.splitExpertParameters = experts.size() == 1 ? List.of() : ops.stream().filter(op -> op.kind().equals("moe-expert"))
                .flatMap(op -> kernels.get(op.id()).parameters().stream()).map(ParameterSpec::name).toList();
    }

    /** With expert parallelism, the parameters of the routed experts this stage holds (none without). */
    public List<String> splitExpertParameters() {
        return splitExpertParameters;
    }

    /** The names of the parameters op {@code opId} of this stage reads (its kernel's), none for an op not here. */
    public List<String> parametersOf(String opId) {
        Kernel k = kernels.get(opId);
        return k == null ? List.of() : k.parameters().stream().map(ParameterSpec::name).toList();
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
        return startForward(inputs, data, targets, samples, recompute, arena).runAll(params).finish();
    }

    /** A forward pass to run part by part ({@link ForwardPass}); arguments as {@link #forward(Map, INDArray, INDArray, int, Map, Recompute, Arena)}'s. */
    public ForwardPass startForward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples, Recompute recompute,
                                    Arena arena) {
        return new ForwardPass(this, inputs, data, targets, samples, recompute, arena);
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
        return startBackward(stash, outputGrads, grads, arena, gradientsDone).runAll(params).finish();
    }

    /**
     * A backward pass to run part by part ({@link BackwardPass}): a whole one adding into {@code grads}, telling
     * {@code gradientsDone} each op whose parameter gradients it has just added; with {@code grads} null the
     * input-gradient part of a split backward ({@link #inputGradients}).
     */
    public BackwardPass startBackward(Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> grads, Arena arena,
                                      Consumer<String> gradientsDone) {
        return startBackward(stash, outputGrads, grads, arena, gradientsDone, UnitParameters.NONE);
    }

    /**
     * {@link #startBackward(Stash, Map, Map, Arena, Consumer)} run part by part under ZeRO stage 3, whose parts
     * re-gather from {@code regather} the units of a recompute segment over several units
     * ({@link GatherOrder#recompute}).
     */
    public BackwardPass startBackward(Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> grads, Arena arena,
                                      Consumer<String> gradientsDone, UnitParameters regather) {
        return new BackwardPass(this, stash, outputGrads, grads, arena, gradientsDone, regather);
    }

    /**
     * For each op with parameters, in backward order, the parameters whose gradients are complete once its backward
     * (or weight-gradient pass) has added its share: those no op before it in the stage reads.
     */
    public Map<String, List<String>> gradientsCompletedBy() {
        return gradientsCompletedBy;
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
        BackwardPass pass = startBackward(stash, outputGrads, null, arena, op -> { }).runAll(params);
        return new InputPass(pass.finish(), pass.weights());
    }

    /** The weight-gradient part (ZB-H1's W): adds the parameter gradients of the ops {@code weights} holds into {@code grads}. */
    public void weightGradients(WeightStash weights, Map<String, INDArray> params, Map<String, INDArray> grads, Arena arena,
                                Consumer<String> gradientsDone) {
        weights.outputGrads().forEach((op, gradOut) -> {
            arena.call(() -> {
                long start = System.nanoTime();
                Map<String, INDArray> d = kernels.get(op).weightGradients(gradOut, weights.saved().get(op), params);
                timer.record(op, OpTimer.Part.WEIGHT_GRADIENT, System.nanoTime() - start);
                d.forEach((name, v) -> grads.get(name).addi(v));
                return d;
            });
            gradientsDone.accept(op);
        });
    }

    /** The stage's parameter units ({@link ParameterUnit#layers}): a pass runs in as many parts. */
    public int units() {
        return unitOps.size();
    }

    /** The parameters the ops of unit {@code unit} read, in op order (a tied weight in every unit reading it). */
    public List<String> unitParameters(int unit) {
        return unitOps.get(unit).stream().flatMap(i -> kernels.get(ops.get(i).id()).parameters().stream())
                .map(ParameterSpec::name).distinct().toList();
    }

    /**
     * The recompute segments of {@code mode} over ops of several units that the backward part of {@code unit} rebuilds
     * (those whose last op is in it), each as the units it spans, in forward order ({@link GatherOrder#recompute}).
     */
    public List<List<Integer>> recomputeUnits(Recompute mode, int unit) {
        return segments.get(mode).all().stream().map(this::unitsOf)
                .filter(units -> units.size() > 1 && units.get(units.size() - 1) == unit).toList();
    }

    /** The units of the ops at {@code indices}, in order, each once. */
    List<Integer> unitsOf(List<Integer> indices) {
        return indices.stream().map(i -> unitOf[i]).distinct().toList();
    }

    int unitOf(int index) {
        return unitOf[index];
    }

    /**
     * Why the stage cannot run a pass unit by unit with recompute mode {@code mode}, if it cannot: a unit whose ops
     * are not consecutive in the stage's order. (A recompute segment over several units is rebuilt by re-gathering
     * each of them, {@link GatherOrder}.)
     */
    public Optional<String> unitByUnitProblem() {
        return ParameterUnit.outOfOrder(ops).map(op -> "parameter unit '" + op.layer() + "' is not consecutive in the stage's op"
                + " order at op '" + op.id() + "'");
    }

    int opCount() {
        return ops.size();
    }

    List<Integer> unitOps(int unit) {
        return unitOps.get(unit);
    }

    OpNode op(int index) {
        return ops.get(index);
    }

    Kernel kernel(String opId) {
        return kernels.get(opId);
    }

    List<Source> sources(String opId) {
        return sources.get(opId);
    }

    ForwardRunner runner() {
        return runner;
    }

    OpTimer timer() {
        return timer;
    }

    Segments segments(Recompute mode) {
        return segments.get(mode);
    }
}
