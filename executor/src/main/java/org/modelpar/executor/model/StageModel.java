package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
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
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
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
        this.timer = timer;
        this.ops = boundary.ops(stage);
        this.received = boundary.received(stage);
        this.sent = boundary.sent(stage);
        for (OpNode op : ops) {
            Kernel k = Kernels.create(op, globalBatchSize);
            kernels.put(op.id(), k);
            sources.put(op.id(), Kernels.sources(graph, op));
            k.parameters().forEach(p -> parameters.putIfAbsent(p.name(), p));
        }
    }

    /** Parameters read by this stage's ops (a tied parameter once). */
    public List<ParameterSpec> parameters() {
        return List.copyOf(parameters.values());
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

    /**
     * Runs the stage forward.
     *
     * @param inputs    received boundary tensors by producer id
     * @param data      input data rows of these samples (used by stage 0)
     * @param targets   target rows of these samples (used by the loss op)
     * @param samples   sample count
     * @param recompute keep only the inputs in the stash; backward recomputes the rest
     */
    public ForwardResult forward(Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                                 Map<String, INDArray> params, boolean recompute) {
        Map<String, INDArray> values = new LinkedHashMap<>(inputs);
        Map<String, List<INDArray>> saved = new LinkedHashMap<>();
        double loss = 0;
        for (OpNode op : ops) {
            List<INDArray> in = resolve(op.id(), values, data, targets);
            long start = System.nanoTime();
            Kernel.Forward f = kernels.get(op.id()).forward(in, params, samples);
            timer.record(op.id(), false, System.nanoTime() - start);
            values.put(op.id(), f.output());
            saved.put(op.id(), f.saved());
            if (Kernels.isLoss(op)) {
                loss += f.output().getDouble(0);
            }
        }
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String p : sent) {
            outputs.put(p, values.get(p));
        }
        Stash stash = new Stash(Map.copyOf(inputs), data, targets, samples, recompute ? Map.of() : saved);
        return new ForwardResult(outputs, loss, stash);
    }

    /**
     * Runs the stage backward, adding parameter gradients into {@code grads}; returns the gradients of
     * the received tensors by producer id.
     *
     * @param outputGrads gradients of the sent tensors (empty for the last stage)
     */
    public Map<String, INDArray> backward(Stash stash, Map<String, INDArray> outputGrads,
                                          Map<String, INDArray> params, Map<String, INDArray> grads) {
        Map<String, List<INDArray>> saved = stash.saved();
        if (saved.isEmpty() && !ops.isEmpty()) {
            saved = forward(stash.inputs(), stash.data(), stash.targets(), stash.samples(), params, false).stash().saved();
        }
        Map<String, INDArray> g = new LinkedHashMap<>();
        outputGrads.forEach((k, v) -> g.put(k, v.dup()));
        List<OpNode> reversed = new ArrayList<>(ops);
        Collections.reverse(reversed);
        for (OpNode op : reversed) {
            INDArray gradOut = g.remove(op.id());
            if (gradOut == null && !Kernels.isLoss(op)) {
                continue;
            }
            long start = System.nanoTime();
            Kernel.Backward b = kernels.get(op.id()).backward(gradOut, saved.get(op.id()), params);
            timer.record(op.id(), true, System.nanoTime() - start);
            b.paramGrads().forEach((name, d) -> grads.get(name).addi(d));
            List<Source> src = sources.get(op.id());
            for (int i = 0; i < src.size(); i++) {
                INDArray d = b.inputGrads().get(i);
                if (src.get(i).kind() == Source.Kind.OP && d != null) {
                    INDArray sum = g.get(src.get(i).producerId());
                    if (sum == null) {
                        g.put(src.get(i).producerId(), d.dup());
                    } else {
                        sum.addi(d);
                    }
                }
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String p : received) {
            INDArray d = g.get(p);
            out.put(p, d != null ? d : stash.inputs().get(p).like().assign(0));
        }
        return out;
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
