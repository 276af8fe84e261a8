package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product scores {@code Q K^T / sqrt(d)} per head (Vaswani et al., "Attention Is All You
 * Need", 2017). Input: the fused projection {@code [n * s, 3h]} laid out as Q | K | V, each
 * {@code heads x d} columns; output {@code [n, heads, s, s]}.
 */
final class AttentionScores implements Kernel {
    private final long heads;
    private final long seq;
    private final long headDim;

    AttentionScores(long heads, long seq, long headDim) {
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
        INDArray qkv = inputs.get(0);
        long h = heads * headDim;
        INDArray q = Tensors.toHeads(Tensors.columns(qkv, 0, h), samples, seq, heads, headDim);
        INDArray k = Tensors.toHeads(Tensors.columns(qkv, h, h), samples, seq, heads, headDim);
        INDArray scores = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt(headDim));
        return new Forward(scores, List.of(q, k));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray q = saved.get(0);
        INDArray k = saved.get(1);
        long n = q.size(0);
        double scale = 1.0 / Math.sqrt(headDim);
        INDArray dq = Nd4j.matmul(g, k).muli(scale);
        INDArray dk = Nd4j.matmul(g, q, true, false, false).muli(scale);
        long h = heads * headDim;
        INDArray dqkv = Nd4j.zeros(g.dataType(), n * seq, 3 * h);
        dqkv.get(all(), interval(0, h)).assign(Tensors.fromHeads(dq, n, seq, heads, headDim));
        dqkv.get(all(), interval(h, 2 * h)).assign(Tensors.fromHeads(dk, n, seq, heads, headDim));
        return new Backward(Arrays.asList(dqkv), Map.of());
    }

    static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
    }
}
