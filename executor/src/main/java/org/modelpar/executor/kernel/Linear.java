package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code y = x W + b} on rows {@code [tokens, in]}; W is {@code [in, out]}, b is {@code [1, out]}. Under
 * tensor parallelism (Megatron-LM, Shoeybi et al. 2019, section 3) a column-parallel rank holds a part of
 * W's and b's columns and outputs those columns, summing its input gradient over the group in backward; a
 * row-parallel rank holds a part of W's rows, reads those columns of x, sums its output over the group in
 * forward before adding the whole b.
 */
final class Linear implements SplitBackward {
    /** How the layer is split over a tensor-parallel group. */
    enum Split { NONE, COLUMN, ROW }

    private final String weight;
    private final String bias;
    private final Split split;
    private final TensorGroup group;
    private final List<ParameterSpec> params;

    Linear(String opId, long in, long out) {
        this(opId, in, out, Split.NONE, Shard.WHOLE, Shard.WHOLE, TensorGroup.SOLO);
    }

    private Linear(String opId, long in, long out, Split split, Shard weightPart, Shard biasPart, TensorGroup group) {
        this.weight = opId + ".weight";
        this.bias = opId + ".bias";
        this.split = split;
        this.group = group;
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
                yield new Linear(op.id(), in, out, split, tp.shard(1, blocks), tp.shard(1, blocks), tp.group());
            }
            case ROW -> {
                tp.share(op, "in", in);
                yield new Linear(op.id(), in, out, split, tp.shard(0, 1), Shard.WHOLE, tp.group());
            }
        };
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = Tensors.like(inputs.get(0), p.get(weight));
        INDArray y = x.mmul(p.get(weight));
        if (split == Split.ROW) {
            group.allReduce(y);
        }
        return new Forward(y.addiRowVector(p.get(bias)), List.of(x));
    }

    /** {@code dX = dY W^T}, summed over the group when column-parallel (Megatron's f). */
    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray dx = g.mmul(p.get(weight).transpose());
        if (split == Split.COLUMN) {
            group.allReduce(dx);
        }
        return Arrays.asList(dx);
    }

    /** {@code dW = X^T dY}, {@code db = sum of dY's rows}. */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return Map.of(weight, saved.get(0).transpose().mmul(g), bias, g.sum(true, 0));
    }
}
