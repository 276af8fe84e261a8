package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Attention context {@code P V} per head. Inputs: probabilities {@code [n, heads, s, s]} and the fused
 * projection {@code [n * s, 3h]} (V is its last third); output rows {@code [n * s, h]}, heads concatenated.
 */
final class AttentionContext implements Kernel {
    private final long heads;
    private final long seq;
    private final long headDim;

    AttentionContext(long heads, long seq, long headDim) {
        this.heads = heads;
        this.seq = seq;
        this.headDim = headDim;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray probs = inputs.get(0);
        long h = heads * headDim;
        INDArray v = Tensors.toHeads(Tensors.columns(inputs.get(1), 2 * h, h), samples, seq, heads, headDim);
        INDArray ctx = Nd4j.matmul(probs, v);
        return new Forward(Tensors.fromHeads(ctx, samples, seq, heads, headDim), List.of(probs, v));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(0);
        INDArray v = saved.get(1);
        long n = probs.size(0);
        long h = heads * headDim;
        INDArray dctx = Tensors.toHeads(g, n, seq, heads, headDim);
        INDArray dprobs = Nd4j.matmul(dctx, v, false, true, false);
        INDArray dv = Nd4j.matmul(probs, dctx, true, false, false);
        INDArray dqkv = Nd4j.zeros(g.dataType(), n * seq, 3 * h);
        dqkv.get(AttentionScores.all(), AttentionScores.interval(2 * h, 3 * h))
                .assign(Tensors.fromHeads(dv, n, seq, heads, headDim));
        return new Backward(Arrays.asList(dprobs, dqkv), Map.of());
    }
}
