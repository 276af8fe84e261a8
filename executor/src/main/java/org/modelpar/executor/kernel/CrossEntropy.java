package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy of logits {@code [n * s, V]} against target ids {@code [n, s]}. The output is
 * {@code scale x sum of token losses}, where {@code scale = 1 / (global batch x tokens)}: the sum of
 * all micro-batches' outputs is the mean loss of the step, and gradients need no further scaling.
 */
final class CrossEntropy implements Kernel {
    private final long vocab;
    private final double scale;

    CrossEntropy(long vocab, double scale) {
        this.vocab = vocab;
        this.scale = scale;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray logits = inputs.get(0);
        INDArray oneHot = Tensors.oneHot(inputs.get(1), vocab, logits.dataType());
        INDArray max = logits.max(true, 1);
        INDArray shifted = logits.subColumnVector(max);
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        double loss = lse.sumNumber().doubleValue() - shifted.mul(oneHot).sumNumber().doubleValue();
        INDArray out = Nd4j.zeros(logits.dataType(), 1, 1).putScalar(0, loss * scale);
        return new Forward(out, List.of(Tensors.softmaxRows(logits), inputs.get(1)));
    }

    /** The factor a loss's backward starts from: its output gradient (the loss scale) when given, else 1. */
    static double lossScale(INDArray gradOutput) {
        return gradOutput == null ? 1 : gradOutput.getDouble(0);
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(0);
        INDArray dlogits = probs.sub(Tensors.oneHot(saved.get(1), vocab, probs.dataType())).muli(scale * lossScale(g));
        return new Backward(Arrays.asList(dlogits, null), Map.of());
    }
}
