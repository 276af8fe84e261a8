package org.modelpar.executor.kernel;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.TensorSplit;

/**
 * How one device's kernels split a transformer over its tensor-parallel group, with Megatron-LM's rules
 * (Shoeybi et al., "Megatron-LM", 2019, section 3) as the simulator's {@link TensorSplit} states them: in a
 * transformer layer a linear feeding a residual add is row-parallel (its input rows split, its output summed
 * by an all-reduce in forward), every other linear is column-parallel (its output columns split; the fused
 * QKV projection per head, so each rank holds whole heads; its input gradient summed by an all-reduce in
 * backward); attention ops run the rank's heads; the word embedding and the tied logits are split over the
 * vocabulary (the embedding's lookups summed by an all-reduce, the logits' columns read by a vocabulary-parallel
 * {@link CrossEntropy}, their input gradient summed). Layer norms, residual adds, GeLU on split values and linears
 * outside transformer layers need no communication: every rank repeats them on identical values. An MLP (a graph
 * without attention whose ops with parameters are all linears) is split pair by pair as {@link TensorSplit#mlp} says:
 * column-parallel, element-wise ops on split values, row-parallel; an unpaired linear whole on every rank.
 */
public final class TensorParallel {
    /** No tensor parallelism: every kernel whole. */
    public static final TensorParallel NONE = new TensorParallel("", TensorGroup.SOLO, null, Set.of(), Set.of(), Optional.empty());

    private final String graphName;
    private final TensorGroup group;
    private final TensorSplit split;
    private final Set<String> fusedQkv;
    /** The losses reading the logits: vocabulary-parallel, as the logits keep their columns split. */
    private final Set<String> vocabularyLosses;
    private final Optional<SequenceSplit> sequence;

    private TensorParallel(String graphName, TensorGroup group, TensorSplit split, Set<String> fusedQkv,
                           Set<String> vocabularyLosses, Optional<SequenceSplit> sequence) {
        this.graphName = graphName;
        this.group = group;
        this.split = split;
        this.fusedQkv = fusedQkv;
        this.vocabularyLosses = vocabularyLosses;
        this.sequence = sequence;
    }

    /**
     * The split of {@code graph} for a device of {@code group}, without sequence parallelism.
     *
     * @throws PlanException when the group has more than one device and the graph is neither a transformer nor an MLP
     */
    public static TensorParallel of(ComputationGraph graph, TensorGroup group) {
        return of(graph, group, false);
    }

    /**
     * The split of {@code graph} for a device of {@code group}, with {@code sequenceParallel} the regions between
     * tensor-parallel ones split along the sequence ({@link SequenceSplit}).
     *
     * @throws PlanException when the group has more than one device and the graph is neither a transformer nor an MLP, or with
     *                       sequence parallelism when t does not divide the sequence length or a linear op sits
     *                       outside the transformer layers
     */
    public static TensorParallel of(ComputationGraph graph, TensorGroup group, boolean sequenceParallel) {
        if (group.size() == 1) {
            return NONE;
        }
        TensorSplit split = TensorSplit.of(graph);
        if (!split.transformer() && !split.mlp()) {
            throw new PlanException("the executor runs tensor parallelism (degree " + group.size() + ") on transformer layers and"
                    + " MLPs; graph '" + graph.name() + "' has no attention ops and " + split.notMlp()
                    .map(op -> "op '" + op.id() + "' of kind " + op.kind() + " has parameters and is not a linear with in and out")
                    .orElse("no linear ops") + " (plan it with tensor degree 1)");
        }
        Set<String> qkv = new HashSet<>();
        Set<String> losses = new HashSet<>();
        for (TensorEdge e : graph.tensors()) {
            OpNode consumer = graph.op(e.to()).orElseThrow();
            if (consumer.kind().startsWith("attention")) {
                qkv.add(e.from());
            }
            if (graph.op(e.from()).orElseThrow().kind().equals("logits")) {
                if (!consumer.kind().equals("cross-entropy")) {
                    throw new PlanException("the executor splits the logits over the vocabulary under tensor parallelism, for a"
                            + " cross-entropy to read; op '" + consumer.id() + "' of kind " + consumer.kind() + " reads logits '"
                            + e.from() + "' of graph '" + graph.name() + "'");
                }
                losses.add(consumer.id());
            }
        }
        Optional<SequenceSplit> sequence = Optional.empty();
        if (sequenceParallel) {
            OpNode embedding = graph.ops().stream().filter(op -> op.kind().equals("embedding")).findFirst()
                    .orElseThrow(() -> new PlanException("the executor runs sequence parallelism on graphs with an embedding;"
                            + " graph '" + graph.name() + "' has none"));
            long seq = embedding.longAttribute("seq").orElse(0L);
            TensorParallel shapes = new TensorParallel(graph.name(), group, split, Set.of(), Set.of(), Optional.empty());
            shapes.share(embedding, "seq", seq);
            for (OpNode op : graph.ops()) {
                if (op.kind().equals("linear") && !split.inTransformerLayer(op)) {
                    // its weight gradient would sum over one rank's part of the sequence only
                    throw new PlanException("the executor runs sequence parallelism without linear ops outside the transformer"
                            + " layers; op '" + op.id() + "' of graph '" + graph.name() + "' is one");
                }
            }
            sequence = Optional.of(new SequenceSplit(group, seq));
        }
        return new TensorParallel(graph.name(), group, split, Set.copyOf(qkv), Set.copyOf(losses), sequence);
    }

    /** With sequence parallelism, how the regions outside tensor-parallel ones are split along the sequence. */
    Optional<SequenceSplit> sequence() {
        return sequence;
    }

    /**
     * Whether the op's parameter gradients are summed over the group once per step rather than in its backward: with
     * sequence parallelism, a layer norm's ({@link TensorSplit#sequenceParallelNorm}, Megatron-LM's finalize-model-grads).
     */
    public boolean sumsGradientsAtStepEnd(OpNode op) {
        return sequence.isPresent() && split.sequenceParallelNorm(op);
    }

    /** The device's group. */
    public TensorGroup group() {
        return group;
    }

    /** The group a cross-entropy splits its vocabulary over: this device's when it reads the (split) logits, else none. */
    TensorGroup vocabularyGroup(OpNode loss) {
        return vocabularyLosses.contains(loss.id()) ? group : TensorGroup.SOLO;
    }

    /** How a linear op is split. */
    Linear.Split linear(OpNode op) {
        if (split == null) {
            return Linear.Split.NONE;
        }
        return split.rowParallel(op) ? Linear.Split.ROW : split.columnParallel(op) ? Linear.Split.COLUMN : Linear.Split.NONE;
    }

    /**
     * Whether a column-parallel linear sums its input gradient over the group: unless its input is the model's, which
     * nothing reads the gradient of ({@link TensorSplit#collectives}).
     */
    boolean sumsInputGradient(OpNode op) {
        return split != null && !split.collectives(op, true).isEmpty();
    }

    /** Equal blocks of a column-parallel linear's output (3 for a fused Q | K | V projection). */
    int blocks(OpNode op) {
        return fusedQkv.contains(op.id()) ? 3 : 1;
    }

    /** The rank's share of an attribute that tensor parallelism divides (heads, vocabulary, columns). */
    long share(OpNode op, String attribute, long value) {
        int t = group.size();
        if (value % t != 0) {
            throw new PlanException("tensor degree " + t + " does not divide " + attribute + " " + value + " of op '"
                    + op.id() + "' of graph '" + graphName + "'");
        }
        return value / t;
    }

    /** The part of a parameter split along {@code axis} in {@code blocks} blocks that this rank holds. */
    Shard shard(int axis, int blocks) {
        return group.size() == 1 ? Shard.WHOLE : new Shard(axis, blocks, group.size(), group.rank());
    }
}
