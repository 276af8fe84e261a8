package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code y = x W + b} on rows {@code [tokens, in]}; W is {@code [in, out]}, b is {@code [1, out]}. Under
 * tensor parallelism (Megatron-LM, Shoeybi et al. 2019, section 3) a column-parallel rank holds a part of
 * W's and b's columns and outputs those columns, summing its input gradient over the group in backward; a
 * row-parallel rank holds a part of W's rows, reads those columns of x, sums its output over the group in
 * forward before adding the whole b. With sequence parallelism (Korthikanti et al. 2022, section 4.2.2) a
 * column-parallel rank all-gathers its input along the sequence (and again for its weight gradient, keeping only
 * its part) and reduce-scatters its input gradient; a row-parallel rank reduce-scatters its output along the
 * sequence and all-gathers its output gradient once for both its input and its weight gradient. A column-parallel
 * linear that reads the model's input leaves its input gradient, which nothing reads, unsummed.
 */
final class Linear implements SplitBackward {
    /** How the layer is split over a tensor-parallel group. */
    enum Split { NONE, COLUMN, ROW }

    private final String weight;
    private final String bias;
    private final Split split;
    private final boolean sumsInputGradient;
    private final TensorGroup group;
    private final Optional<SequenceSplit> sequence;
    private final List<ParameterSpec> params;

    Linear(String opId, long in, long out) {
        this(opId, in, out, Split.NONE, false, Shard.WHOLE, Shard.WHOLE, TensorParallel.NONE);
    }

    private Linear(String opId, long in, long out, Split split, boolean sumsInputGradient, Shard weightPart, Shard biasPart,
                   TensorParallel tp) {
        this.weight = opId + ".weight";
        this.bias = opId + ".bias";
        this.split = split;
        this.sumsInputGradient = sumsInputGradient;
        this.group = tp.group();
        this.sequence = split == Split.NONE ? Optional.empty() : tp.sequence();
        this.params = List.of(new ParameterSpec(weight, new long[] {in, out}, Init.NORMAL, 1.0 / Math.sqrt(in), weightPart),
                new ParameterSpec(bias, new long[] {1, out}, Init.ZEROS, 0, biasPart));
    }

    /** The op's linear as {@code tp} splits it. */
    static Linear of(org.modelpar.graph.OpNode op, long in, long out, TensorParallel tp) {
        Split split = tp.linear(op);
        int blocks = tp.blocks(op);
        return switch (split) {
            case NONE -> new Linear(op.id(), in, out);
            case COLUMN -> {
                tp.share(op, "out", out / blocks);
                yield new Linear(op.id(), in, out, split, tp.sumsInputGradient(op), tp.shard(1, blocks), tp.shard(1, blocks), tp);
            }
            case ROW -> {
                tp.share(op, "in", in);
                yield new Linear(op.id(), in, out, split, false, tp.shard(0, 1), Shard.WHOLE, tp);
            }
        };
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray in = Tensors.like(inputs.get(0), p.get(weight));
        INDArray x = split == Split.COLUMN && sequence.isPresent() ? sequence.get().gather(in) : in;
        INDArray y = x.mmul(p.get(weight));
        if (split == Split.ROW) {
            y = sequence.isPresent() ? sequence.get().reduceScatter(y) : allReduced(y);
        }
        return new Forward(y.addiRowVector(p.get(bias)), List.of(in));
    }

    /**
     * The whole backward: a row-parallel rank's output gradient is gathered once and read by both parts, as
     * Megatron-LM's row-parallel linear does (Korthikanti et al. 2022, section 4.2.2).
     */
    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray dy = outputGradient(g);
        return new Backward(inputGradientsOf(dy, p), weightGradientsOf(dy, saved));
    }

    /**
     * {@code dX = dY W^T}, summed over the group when column-parallel (Megatron's f; reduce-scattered with sequence
     * parallelism).
     */
    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return inputGradientsOf(outputGradient(g), p);
    }

    /**
     * {@code dW = X^T dY}, {@code db = sum of dY's rows}. Run apart from {@link #inputGradients} (ZB-H1's W pass), a
     * row-parallel rank gathers its output gradient again.
     */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return weightGradientsOf(outputGradient(g), saved);
    }

    private List<INDArray> inputGradientsOf(INDArray dy, Map<String, INDArray> p) {
        INDArray dx = dy.mmul(p.get(weight).transpose());
        if (sumsInputGradient) {
            dx = sequence.isPresent() ? sequence.get().reduceScatter(dx) : allReduced(dx);
        }
        return Arrays.asList(dx);
    }

    /** From the whole sequence's output gradient {@code dy}; a column-parallel rank re-gathers its input. */
    private Map<String, INDArray> weightGradientsOf(INDArray dy, List<INDArray> saved) {
        INDArray x = split == Split.COLUMN && sequence.isPresent() ? sequence.get().gather(saved.get(0)) : saved.get(0);
        return Map.of(weight, x.transpose().mmul(dy), bias, dy.sum(true, 0));
    }

    /** The output gradient over the whole sequence: a row-parallel rank's is its part of it under sequence parallelism. */
    private INDArray outputGradient(INDArray g) {
        return split == Split.ROW && sequence.isPresent() ? sequence.get().gather(g) : g;
    }

    private INDArray allReduced(INDArray values) {
        group.allReduce(values);
        return values;
    }
}
