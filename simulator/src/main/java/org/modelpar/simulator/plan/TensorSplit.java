package org.modelpar.simulator.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;

/**
 * How Megatron-LM's tensor parallelism splits a transformer graph's ops (Shoeybi et al., "Megatron-LM", 2019,
 * section 3; Korthikanti et al. 2022, section 4.2). A <em>transformer layer</em> is a layer tag holding an
 * attention op ({@code attention-*} kind). Inside one, a {@code linear} whose output does not feed a
 * {@code residual-add} is column-parallel (QKV, MLP up) and its output is split t ways, as are the outputs of
 * the attention ops, softmax, GeLU and SwiGLU; a {@code linear} feeding a residual add is row-parallel (its
 * input is split, its output is whole); {@code logits} are split over the vocabulary. LayerNorm, residual
 * adds, dropout and the embedding's output are <em>replicated</em>: every tensor rank repeats their work and
 * holds their tensors unless sequence parallelism splits them along the sequence.
 *
 * <p>A graph without attention ops whose ops with parameters are all {@code linear} with {@code in} and {@code out}
 * shapes (an MLP) is split as Megatron-LM splits a transformer's MLP block, pair by pair: a linear whose output reaches
 * the next linear through element-wise ops only, each the only reader of what it reads, is column-parallel and that
 * next one row-parallel; the outputs between them are split t ways, and a linear left without a partner (the last of
 * an odd count) is whole on every rank, as are the ops after a row-parallel linear. Any other graph without attention
 * ops counts every op's work and output as split t ways (the simulator's model for other graphs).
 */
public final class TensorSplit {
    private static final Set<String> SHARDED_KINDS = Set.of("attention-scores", "softmax", "attention-context", "gelu", "swiglu");
    /** Ops that act on each value alone, so they run on split values between an MLP's paired linears. */
    private static final Set<String> ELEMENT_WISE = Set.of("relu", "gelu", "dropout");

    private final Set<String> transformerLayers = new HashSet<>();
    private final Map<String, List<OpNode>> consumers = new HashMap<>();
    private final Map<String, Long> inputBytes = new HashMap<>();
    /** In an MLP: the column-parallel linears, the row-parallel ones and the ops whose outputs are split between them. */
    private final Set<String> columns = new HashSet<>();
    private final Set<String> rows = new HashSet<>();
    private final Set<String> between = new HashSet<>();
    private final boolean mlp;
    private final Optional<OpNode> notMlp;

    private TensorSplit(ComputationGraph graph) {
        for (OpNode op : graph.ops()) {
            if (op.kind().startsWith("attention") && !op.layer().isEmpty()) {
                transformerLayers.add(op.layer());
            }
        }
        Map<String, OpNode> byId = new HashMap<>();
        graph.ops().forEach(op -> byId.put(op.id(), op));
        graph.tensors().forEach(t -> {
            consumers.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(byId.get(t.to()));
            inputBytes.merge(t.to(), t.bytes(), Math::addExact);
        });
        notMlp = graph.ops().stream().filter(op -> op.parameterBytes() > 0 && !(op.kind().equals("linear")
                && op.longAttribute("in").isPresent() && op.longAttribute("out").isPresent())).findFirst();
        mlp = transformerLayers.isEmpty() && notMlp.isEmpty() && graph.ops().stream().anyMatch(op -> op.kind().equals("linear"));
        if (mlp) {
            pairLinears(graph);
        }
    }

    /** Pairs an MLP's linears in topological order, by the rule of the class comment. */
    private void pairLinears(ComputationGraph graph) {
        for (OpNode op : graph.topologicalOrder()) {
            if (!op.kind().equals("linear") || rows.contains(op.id())) {
                continue;
            }
            List<String> path = new ArrayList<>();
            List<OpNode> readers = consumers.getOrDefault(op.id(), List.of());
            while (readers.size() == 1 && ELEMENT_WISE.contains(readers.get(0).kind())) {
                path.add(readers.get(0).id());
                readers = consumers.getOrDefault(readers.get(0).id(), List.of());
            }
            if (readers.size() == 1 && readers.get(0).kind().equals("linear")) {
                columns.add(op.id());
                rows.add(readers.get(0).id());
                between.addAll(path);
            }
        }
    }

    public static TensorSplit of(ComputationGraph graph) {
        return new TensorSplit(graph);
    }

    /** Whether the graph has attention ops, so that these rules apply. */
    public boolean transformer() {
        return !transformerLayers.isEmpty();
    }

    /** Whether the graph is an MLP (no attention ops, every op with parameters a linear of known shape), split pair by pair. */
    public boolean mlp() {
        return mlp;
    }

    /** The first op that keeps a graph without attention from being an MLP: one with parameters, not a shaped linear. */
    public Optional<OpNode> notMlp() {
        return notMlp;
    }

    /** Whether the op is a column-parallel linear: a transformer layer's that does not feed a residual add, an MLP's paired first. */
    public boolean columnParallel(OpNode op) {
        return mlp ? columns.contains(op.id())
                : inTransformerLayer(op) && op.kind().equals("linear") && !feedsResidual(op);
    }

    /** Whether the op is a row-parallel linear: a transformer layer's that feeds a residual add, an MLP's paired second. */
    public boolean rowParallel(OpNode op) {
        return mlp ? rows.contains(op.id())
                : inTransformerLayer(op) && op.kind().equals("linear") && feedsResidual(op);
    }

    /** Whether the op sits in a transformer layer (a recompute segment of its own). */
    public boolean inTransformerLayer(OpNode op) {
        return transformerLayers.contains(op.layer());
    }

    /**
     * Whether the op is in a transformer layer's attention core ({@code attention-*} and {@code softmax} kinds),
     * what selective recomputation re-runs (Korthikanti et al. 2022, section 5).
     */
    public boolean attentionCore(OpNode op) {
        return inTransformerLayer(op) && (op.kind().startsWith("attention") || op.kind().equals("softmax"));
    }

    /**
     * Whether the op's output is split t ways by tensor parallelism: in an MLP a column-parallel linear's and the
     * element-wise ops' after it; always in another graph without attention.
     */
    public boolean shardedOutput(OpNode op) {
        if (mlp) {
            return columns.contains(op.id()) || between.contains(op.id());
        }
        if (!transformer()) {
            return true;
        }
        if (op.kind().equals("logits")) {
            return true;
        }
        if (!inTransformerLayer(op)) {
            return false;
        }
        return SHARDED_KINDS.contains(op.kind()) || op.kind().equals("linear") && !feedsResidual(op);
    }

    /**
     * Parameters of the op that every tensor rank holds whole, as Megatron-LM keeps them (its layer norms, the bias of
     * a row-parallel linear, added after the all-reduce, the learned position table, the MoE router, and linears outside
     * the transformer layers): a norm's and a router's all, a row-parallel linear's beyond its {@code in x out} weight,
     * the embedding's beyond its {@code vocab x hidden} word table (split over the vocabulary), a linear outside the
     * transformer layers all of its own; in an MLP, a row-parallel linear's bias and all of an unpaired linear. Every
     * other parameter is split t ways. None in another graph without attention.
     */
    public long replicatedParameters(OpNode op) {
        if (mlp) {
            long all = op.parameterBytes() / 4;
            return rows.contains(op.id()) ? all - product(op, "in", "out", all) : columns.contains(op.id()) ? 0 : all;
        }
        if (!transformer()) {
            return 0;
        }
        long all = op.parameterBytes() / 4;
        return switch (op.kind()) {
            case "layernorm", "rmsnorm", "moe-router" -> all;
            case "embedding" -> all - product(op, "vocab", "hidden", all);
            case "linear" -> !inTransformerLayer(op) ? all : feedsResidual(op) ? all - product(op, "in", "out", all) : 0;
            default -> 0;
        };
    }

    /** The product of two attributes of the op, or {@code whole} when it lacks one of them. */
    private static long product(OpNode op, String a, String b, long whole) {
        return op.longAttribute(a).flatMap(x -> op.longAttribute(b).map(y -> Math.multiplyExact(x, y))).orElse(whole);
    }

    /** Whether the op's output feeds a residual add (a row-parallel linear, followed by dropout). */
    public boolean feedsResidual(OpNode op) {
        return consumers.getOrDefault(op.id(), List.of()).stream().anyMatch(c -> c.kind().equals("residual-add"));
    }

    /**
     * Per-sample fp32 bytes of each tensor-parallel collective the op runs in its forward ({@code backward} false) or
     * backward pass, where Megatron-LM runs them (Shoeybi et al. 2019, section 3, figures 3 and 4). In a transformer
     * graph: forward, a row-parallel linear all-reduces its output ({@code g}), the embedding its output (the
     * vocabulary-parallel lookup) and {@code logits} the per-token statistics of the vocabulary-parallel
     * cross-entropy that reads them ("reduces the dimension to b x s"): the row maxima ({@code seq} values), then the
     * sums of exponentials with the target's logit ({@code 2 seq} values), Megatron-LM's two all-reduces; backward, a
     * column-parallel op (a linear, or another op with parameters such as a fused SwiGLU, in a transformer layer with
     * its output split) and {@code logits} all-reduce their input gradient ({@code f}); the embedding's input is token
     * ids, so its backward has none. A whole transformer layer thus has 2 each way, and a layer cut across stages
     * counts each on the stage of the op that runs it. In an MLP: forward, a row-parallel linear all-reduces its output;
     * backward, a column-parallel linear its input gradient, unless its input is the model's (nothing reads that
     * gradient). In another graph without attention every op with parameters has one collective of its output each way.
     */
    public List<Long> collectives(OpNode op, boolean backward) {
        if (mlp) {
            long in = inputBytes.getOrDefault(op.id(), 0L);
            return backward ? (columns.contains(op.id()) && in > 0 ? List.of(in) : List.of())
                    : rows.contains(op.id()) ? List.of(op.activationBytes()) : List.of();
        }
        if (!transformer()) {
            return op.parameterBytes() > 0 ? List.of(op.activationBytes()) : List.of();
        }
        if (op.kind().equals("logits")) {
            return backward ? List.of(inputBytes.getOrDefault(op.id(), 0L)) : lossStatistics(op);
        }
        if (backward) {
            boolean columnParallel = inTransformerLayer(op) && shardedOutput(op)
                    && (op.kind().equals("linear") || op.parameterBytes() > 0);
            return columnParallel ? List.of(inputBytes.getOrDefault(op.id(), 0L)) : List.of();
        }
        return rowParallel(op) || op.kind().equals("embedding") ? List.of(op.activationBytes()) : List.of();
    }

    /**
     * Per-sample fp32 bytes of each ring pass (a reduce-scatter or an all-gather of that whole tensor) the op runs in
     * its forward or backward pass with sequence parallelism, as the executor's kernels run them (Korthikanti et al.
     * 2022, section 4.2.2): the embedding reduce-scatters its output and all-gathers its output gradient; a
     * column-parallel linear all-gathers its input, and in backward reduce-scatters the input gradient and gathers the
     * input again for its weight gradient; a row-parallel linear reduce-scatters its output, and in backward gathers
     * the output gradient once, for both its input and its weight gradient (as Megatron-LM's row-parallel linear
     * does); {@code logits} gathers its input, then all-reduces the loss's statistics ({@link #collectives}, two passes
     * each), and in backward reduce-scatters the input gradient and gathers the input for the weight's. A layer norm runs none in a pass: its parameter gradients are
     * summed over the group once per step ({@link #sequenceParallelNorm}). Every other op runs none; in a graph without
     * attention each of {@link #collectives} is two passes.
     */
    public List<Long> sequenceParallelPasses(OpNode op, boolean backward) {
        if (!transformer()) {
            return collectives(op, backward).stream().flatMap(b -> Stream.of(b, b)).toList();
        }
        long in = inputBytes.getOrDefault(op.id(), 0L);
        long out = op.activationBytes();
        return switch (op.kind()) {
            case "embedding" -> List.of(out);
            case "logits" -> backward ? List.of(in, in)
                    : Stream.concat(Stream.of(in), lossStatistics(op).stream().flatMap(b -> Stream.of(b, b))).toList();
            case "linear" -> !inTransformerLayer(op) ? List.of()
                    : feedsResidual(op) ? List.of(out)
                    : (backward ? List.of(in, in) : List.of(in));
            default -> List.of();
        };
    }

    /** Per-sample fp32 bytes of the vocabulary-parallel loss's two all-reduces: the row maxima, then two sums a token. */
    private static List<Long> lossStatistics(OpNode op) {
        long seq = op.longAttribute("seq").orElse(0L);
        return List.of(4 * seq, 8 * seq);
    }

    /**
     * Per-sample fp32 bytes of each ring pass of the op's input-gradient part ({@code weightPass} false) or weight-gradient
     * part (true) when a schedule splits the backward (ZB-H1's B and W) with sequence parallelism, as the executor's
     * kernels run them: the input part reduce-scatters the input gradient of a column-parallel linear and of {@code
     * logits}, and a row-parallel linear gathers its output gradient; the weight part gathers again what its weight
     * gradient reads (a column-parallel linear's and the logits' input, a row-parallel linear's output gradient, which
     * the input part has freed) and the embedding's output gradient (its backward is all weight gradient). So a split
     * backward runs one ring pass more per row-parallel linear than {@link #sequenceParallelPasses}. In a graph without
     * attention the input part runs all of the op's passes and the weight part none.
     */
    public List<Long> splitBackwardPasses(OpNode op, boolean weightPass) {
        if (!transformer()) {
            return weightPass ? List.of() : sequenceParallelPasses(op, true);
        }
        long in = inputBytes.getOrDefault(op.id(), 0L);
        return switch (op.kind()) {
            case "embedding" -> weightPass ? List.of(op.activationBytes()) : List.of();
            case "logits" -> List.of(in);
            case "linear" -> !inTransformerLayer(op) ? List.of()
                    : List.of(feedsResidual(op) ? op.activationBytes() : in);
            default -> List.of();
        };
    }

    /**
     * Whether, with sequence parallelism, the op is a layer norm whose parameter gradients (sums over one rank's part of
     * the sequence) are all-reduced over the tensor group once per step, after the step's last backward and before the
     * optimizer, all of a stage's in one flattened all-reduce: Megatron-LM's finalize-model-grads
     * ({@code _allreduce_layernorm_grads}; Korthikanti et al. 2022, section 4.2.2). Only in a transformer graph.
     */
    public boolean sequenceParallelNorm(OpNode op) {
        return transformer() && op.kind().equals("layernorm") && op.parameterBytes() > 0;
    }

    /**
     * Whether every tensor rank repeats the op's whole work unless sequence parallelism splits it: LayerNorm,
     * RMSNorm and residual adds of a transformer graph; in an MLP every op but the paired linears and the element-wise
     * ops between them. Everything else is split t ways.
     */
    public boolean replicatedWork(OpNode op) {
        if (mlp) {
            return !shardedOutput(op) && !rows.contains(op.id());
        }
        return transformer() && Set.of("layernorm", "rmsnorm", "residual-add").contains(op.kind());
    }
}
