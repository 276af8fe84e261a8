package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.simulator.cost.BackwardSplit;

/**
 * Derives a stage's {@link StageActivations} op by op from the graph, by Korthikanti et al., "Reducing
 * Activation Recomputation in Large Transformer Models" (2022), section 4: in a transformer graph each op
 * stashes what its backward reads, in the plan's precision (e bytes a value), plus, in a model that trains with
 * dropout ({@link ComputationGraph#dropout()}), 1-byte dropout masks where Megatron-LM's GPT applies dropout:
 * <ul>
 *   <li>{@code layernorm}/{@code rmsnorm}: also their fp32 statistics, 8 and 4 bytes a token (mean and 1/std, or
 *       1/rms: what PyTorch's and Apex's fused norms save; the paper leaves them out); {@code cross-entropy}: also
 *       the labels, 8 bytes a token (int64);</li>
 *   <li>{@code layernorm}/{@code rmsnorm}, {@code linear}, {@code attention-scores} (Q and K),
 *       {@code attention-context} (the dropped-out probabilities and V), {@code gelu}, {@code logits}: their
 *       inputs; a linear feeding a residual add also a dropout mask of its output;</li>
 *   <li>{@code softmax}: its output and the attention-dropout mask (with the context's probabilities input,
 *       the attention core that selective recomputation drops);</li>
 *   <li>{@code swiglu}: its input and its two pre-activations; {@code embedding}: the embedding-dropout mask
 *       (its token ids are model inputs); {@code cross-entropy}: its logits input in fp32; {@code moe-expert}: its
 *       dispatched tokens and routing weights (on the expert's holder under expert parallelism) and its output;
 *       {@code residual-add}: nothing; other kinds: their output.</li>
 * </ul>
 * How each stashed tensor is split follows {@link TensorSplit} (by its producer; masks and outputs by their
 * op). For a GPT layer (s tokens, h hidden, a heads, e = 2) this gives {@code s h (34 + 5 a s / h)} bytes per
 * sample, {@code s h (10 + 24/t + 5 a s/(h t))} under t-way tensor parallelism and {@code s h (34/t + 5 a s/(h t))}
 * with sequence parallelism, the paper's equations 1-3; selective recomputation removes the {@code 5 a s/h}
 * term and full recomputation keeps the layer input, {@code 2 s h} (split by sequence parallelism). The
 * embedding stashes {@code s h} bytes of mask, the head {@code 4 s h + 4 s V} (section 4.3). Without dropout there
 * are no masks and the context reads the softmax output itself: {@code s h (32 + 2 a s / h)} bytes per sample
 * ({@code 2 s h} of masks and {@code 3 a s^2} bytes of attention mask and dropped-out probabilities fewer), and
 * selective recomputation removes the {@code 2 a s / h} term.
 *
 * <p>A graph without attention ops keeps the simulator's model for other graphs: every op stashes its output
 * (split t ways), the stage's received inputs and model inputs are kept whole, and the whole stage is one
 * recompute segment.
 */
final class ActivationRules {
    /** A norm's fp32 statistic a token (PyTorch's and Apex's layer norms save mean and 1/std, RMSNorm 1/rms). */
    private static final long STATISTIC_BYTES = 4;
    /** A label a token: an int64 class index, as PyTorch's cross-entropy takes it. */
    private static final long LABEL_BYTES = 8;
    /** The kinds that stash their inputs at e bytes a value (the context those not from the softmax). */
    private static final Set<String> STASHES_INPUTS = Set.of("layernorm", "rmsnorm", "linear", "attention-scores",
            "attention-context", "gelu", "logits", "swiglu", "moe-expert");
    private final TensorSplit split;
    private final long e;
    private final boolean dropout;
    private final Map<String, List<TensorEdge>> inputsOf = new HashMap<>();
    private final Map<String, OpNode> byId = new HashMap<>();

    ActivationRules(ComputationGraph graph, TensorSplit split, Precision precision) {
        this.split = split;
        this.e = precision.computeBytes();
        this.dropout = graph.dropout();
        graph.tensors().forEach(t -> inputsOf.computeIfAbsent(t.to(), k -> new ArrayList<>()).add(t));
        graph.ops().forEach(op -> byId.put(op.id(), op));
    }

    /**
     * The activations of a stage holding {@code ops}, which receive {@code inputBytes} fp32 bytes per sample
     * from other stages and keep {@code modelInputBytes} of model inputs.
     */
    StageActivations of(List<OpNode> ops, long inputBytes, long modelInputBytes, List<Long> transformerAllReduces,
                        List<Long> allReduces) {
        Stash modelInputs = new Stash(0, 0, Math.multiplyExact(e, modelInputBytes));
        if (!split.transformer()) {
            Set<String> all = new HashSet<>();
            ops.forEach(op -> all.add(op.id()));
            Stash kept = Stash.NONE;
            for (OpNode op : ops) {
                kept = kept.plus(value(op, Math.multiplyExact(op.activationBytes(), e)));
            }
            return new StageActivations(modelInputs.plus(new Stash(0, 0, Math.multiplyExact(inputBytes, e))),
                    List.of(new StageActivations.Segment(kept, Stash.NONE, Stash.NONE)), Set.of(), all, allReduces,
                    weightGradients(ops), weightInputs(ops, modelInputs));
        }
        Stash outside = modelInputs;
        Map<String, List<OpNode>> layers = new LinkedHashMap<>();
        Set<String> core = new HashSet<>();
        Set<String> segmentOps = new HashSet<>();
        for (OpNode op : ops) {
            if (split.inTransformerLayer(op)) {
                layers.computeIfAbsent(op.layer(), k -> new ArrayList<>()).add(op);
                segmentOps.add(op.id());
                if (split.attentionCore(op)) {
                    core.add(op.id());
                }
            } else {
                outside = outside.plus(kept(op)).plus(core(op));
            }
        }
        Map<String, Stash> heldByLayer = new HashMap<>();
        for (Map.Entry<String, OpNode> held : receivedUnstashed(ops).entrySet()) {
            OpNode reader = held.getValue();
            Stash tensor = received(held.getKey(), ops);
            if (split.inTransformerLayer(reader)) {
                heldByLayer.merge(reader.layer(), tensor, Stash::plus);
            } else {
                outside = outside.plus(tensor);
            }
        }
        List<StageActivations.Segment> segments = new ArrayList<>();
        for (Map.Entry<String, List<OpNode>> layer : layers.entrySet()) {
            Stash kept = heldByLayer.getOrDefault(layer.getKey(), Stash.NONE);
            Stash coreStash = Stash.NONE;
            for (OpNode op : layer.getValue()) {
                kept = kept.plus(kept(op));
                coreStash = coreStash.plus(core(op));
            }
            segments.add(new StageActivations.Segment(kept, coreStash, checkpoint(layer.getValue())));
        }
        return new StageActivations(outside, segments, core, segmentOps, transformerAllReduces, weightGradients(ops),
                weightInputs(ops, modelInputs));
    }

    /**
     * The tensors the stage receives from other stages that none of its ops stashes as its input (a residual stream
     * crossing a cut inside a layer, read only by the residual add), each with its first reader in the stage. A
     * pipeline keeps every received tensor until the micro-batch's backward, whose input gradient it sends back (as
     * Megatron-LM's schedules keep {@code input_tensor}); one an op stashes as its input is that stash.
     */
    private Map<String, OpNode> receivedUnstashed(List<OpNode> ops) {
        Set<String> members = new HashSet<>();
        ops.forEach(op -> members.add(op.id()));
        Map<String, OpNode> firstReader = new LinkedHashMap<>();
        Set<String> stashed = new HashSet<>();
        for (OpNode op : ops) {
            for (TensorEdge t : inputsOf.getOrDefault(op.id(), List.of())) {
                if (!members.contains(t.from())) {
                    firstReader.putIfAbsent(t.from(), op);
                    if (stashesInput(op)) {
                        stashed.add(t.from());
                    }
                }
            }
        }
        firstReader.keySet().removeAll(stashed);
        return firstReader;
    }

    /** Whether the op stashes its inputs as they are ({@link #kept}; the cross-entropy its logits in fp32). */
    private boolean stashesInput(OpNode op) {
        return STASHES_INPUTS.contains(op.kind()) || op.kind().equals("cross-entropy") && e == 4;
    }

    /** The whole tensor of {@code producer} that the stage's ops read, at e bytes a value, split as its output is. */
    private Stash received(String producer, List<OpNode> ops) {
        long bytes = 0;
        for (OpNode op : ops) {
            for (TensorEdge t : inputsOf.getOrDefault(op.id(), List.of())) {
                if (t.from().equals(producer)) {
                    bytes = Math.max(bytes, t.bytes());
                }
            }
        }
        return value(byId.get(producer), Math.multiplyExact(e, bytes));
    }

    /**
     * What a split backward keeps of the forward's stash for its weight-gradient pass: the model inputs (the
     * embedding's token ids, the features a first {@code linear} reads) and the inputs of the ops with parameters,
     * at e bytes a value and split as their producers' outputs are.
     */
    private Stash weightInputs(List<OpNode> ops, Stash modelInputs) {
        Stash sum = modelInputs;
        for (OpNode op : ops) {
            if (BackwardSplit.hasWeightGradient(op)) {
                sum = sum.plus(inputs(op, e, false));
            }
        }
        return sum;
    }

    /** The output gradients a split backward keeps for its weight-gradient pass, each op's split as its output. */
    private Stash weightGradients(List<OpNode> ops) {
        Stash sum = Stash.NONE;
        for (OpNode op : ops) {
            if (BackwardSplit.hasWeightGradient(op)) {
                sum = sum.plus(value(op, Math.multiplyExact(e, op.activationBytes())));
            }
        }
        return sum;
    }

    /** What the op stashes that selective recomputation keeps. */
    private Stash kept(OpNode op) {
        long out = op.activationBytes();
        Stash inputs = STASHES_INPUTS.contains(op.kind()) ? inputs(op, e, false) : Stash.NONE;
        return switch (op.kind()) {
            case "residual-add" -> Stash.NONE;
            case "softmax" -> Stash.NONE;
            case "embedding" -> mask(op, out);
            case "swiglu" -> inputs.plus(value(op, Math.multiplyExact(2 * e, out)));
            case "cross-entropy" -> inputs(op, 4, false).plus(new Stash(0, 0, perToken(op, LABEL_BYTES)));
            case "moe-expert" -> inputs.plus(value(op, Math.multiplyExact(e, out)));
            case "linear" -> inputs.plus(split.feedsResidual(op) ? mask(op, out) : Stash.NONE);
            case "layernorm" -> inputs.plus(value(op, perToken(op, 2 * STATISTIC_BYTES)));
            case "rmsnorm" -> inputs.plus(value(op, perToken(op, STATISTIC_BYTES)));
            case "attention-scores", "attention-context", "gelu", "logits" -> inputs;
            default -> value(op, Math.multiplyExact(e, out));
        };
    }

    /**
     * What the op stashes that selective recomputation drops: the softmax output, and with dropout its mask and the
     * dropped-out probabilities the context reads (without, the context reads the softmax output itself).
     */
    private Stash core(OpNode op) {
        return switch (op.kind()) {
            case "softmax" -> value(op, Math.multiplyExact(e, op.activationBytes())).plus(mask(op, op.activationBytes()));
            case "attention-context" -> dropout ? inputs(op, e, true) : Stash.NONE;
            default -> Stash.NONE;
        };
    }

    /** The op's inputs at {@code bytesPerValue}: those from softmax ops ({@code fromSoftmax}) or the others. */
    private Stash inputs(OpNode op, long bytesPerValue, boolean fromSoftmax) {
        Stash sum = Stash.NONE;
        for (TensorEdge t : inputsOf.getOrDefault(op.id(), List.of())) {
            OpNode producer = byId.get(t.from());
            if (producer.kind().equals("softmax") == fromSoftmax) {
                sum = sum.plus(value(producer, Math.multiplyExact(bytesPerValue, t.bytes())));
            }
        }
        return sum;
    }

    /** Tensors entering the layer's ops from outside the layer, each producer's once, at e bytes a value. */
    private Stash checkpoint(List<OpNode> layer) {
        Set<String> members = new HashSet<>();
        layer.forEach(op -> members.add(op.id()));
        Map<String, Long> largest = new LinkedHashMap<>();
        for (OpNode op : layer) {
            for (TensorEdge t : inputsOf.getOrDefault(op.id(), List.of())) {
                if (!members.contains(t.from())) {
                    largest.merge(t.from(), t.bytes(), Math::max);
                }
            }
        }
        Stash sum = Stash.NONE;
        for (Map.Entry<String, Long> in : largest.entrySet()) {
            sum = sum.plus(value(byId.get(in.getKey()), Math.multiplyExact(e, in.getValue())));
        }
        return sum;
    }

    /** Quarter bytes of {@code bytes} a token of the op's sequence ({@code seq} attribute; none without one). */
    private static long perToken(OpNode op, long bytes) {
        return Math.multiplyExact(4 * bytes, op.longAttribute("seq").orElse(0L));
    }

    /** A 1-byte dropout mask per value of {@code fp32Bytes} produced by {@code op}; none without dropout. */
    private Stash mask(OpNode op, long fp32Bytes) {
        return dropout ? value(op, fp32Bytes) : Stash.NONE;
    }

    /** {@code quarterBytes} of a tensor produced by {@code producer}, split as its output is. */
    private Stash value(OpNode producer, long quarterBytes) {
        return split.shardedOutput(producer) ? new Stash(quarterBytes, 0, 0) : new Stash(0, quarterBytes, 0);
    }
}
