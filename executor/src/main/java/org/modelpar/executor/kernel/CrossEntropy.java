package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy of logits {@code [n * s, V]} against target ids {@code [n, s]}. The output is
 * {@code scale x sum of token losses}, where {@code scale = 1 / (global batch x tokens)}: the sum of
 * all micro-batches' outputs is the mean loss of the step, and gradients need no further scaling.
 *
 * <p>Under tensor parallelism the loss is vocabulary-parallel (Megatron-LM's {@code _VocabParallelCrossEntropy};
 * Shoeybi et al. 2019, section 3: "reduces the dimension to b x s"): rank r holds the logit columns of its part of
 * the vocabulary, {@code [r V / t, (r + 1) V / t)}, and never the whole logits. Two all-reduces of per-token values
 * give every rank the same loss: one of each rank's row maxima (a rank writes its own column of a {@code [n s, t]}
 * array of zeros; the sum is every rank's maxima, whose greatest shifts the exponentials), one of the sums of the
 * shifted exponentials and the target's shifted logit (which only its owner adds). A rank stashes the softmax of its
 * own columns, and its backward needs no collective.
 */
final class CrossEntropy implements Kernel {
    private final long vocab;
    private final double scale;
    private final TensorGroup group;
    private final long localVocab;

    CrossEntropy(long vocab, double scale, long localVocab, TensorGroup group) {
        this.vocab = vocab;
        this.scale = scale;
        this.group = group;
        this.localVocab = localVocab;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray logits = inputs.get(0);
        INDArray shifted = logits.subColumnVector(greatest(logits));
        INDArray exp = Transforms.exp(shifted, true);
        INDArray sums = Nd4j.concat(1, exp.sum(true, 1), shifted.mul(oneHot(inputs.get(1), logits)).sum(true, 1));
        group.allReduce(sums);
        INDArray total = sums.getColumn(0, true);
        double loss = Transforms.log(total, true).sumNumber().doubleValue() - sums.getColumn(1).sumNumber().doubleValue();
        INDArray out = Nd4j.zeros(logits.dataType(), 1, 1).putScalar(0, loss * scale);
        return new Forward(out, List.of(exp.diviColumnVector(total), inputs.get(1)));
    }

    /** Each row's greatest logit over the whole vocabulary: this rank's, or every rank's maxima summed into columns. */
    private INDArray greatest(INDArray logits) {
        INDArray mine = logits.max(true, 1);
        if (group.size() == 1) {
            return mine;
        }
        INDArray all = Nd4j.zeros(logits.dataType(), logits.size(0), group.size());
        all.get(NDArrayIndex.all(), NDArrayIndex.point(group.rank())).assign(mine.reshape(logits.size(0)));
        group.allReduce(all);
        return all.max(true, 1);
    }

    /** One-hot rows of the target ids over this rank's columns of the vocabulary. */
    private INDArray oneHot(INDArray ids, INDArray like) {
        return Tensors.oneHot(ids, vocab, group.rank() * localVocab, localVocab, like.dataType());
    }

    /** The factor a loss's backward starts from: its output gradient (the loss scale) when given, else 1. */
    static double lossScale(INDArray gradOutput) {
        return gradOutput == null ? 1 : gradOutput.getDouble(0);
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray probs = saved.get(0);
        INDArray dlogits = probs.sub(oneHot(saved.get(1), probs)).muli(scale * lossScale(g));
        return new Backward(Arrays.asList(dlogits, null), Map.of());
    }
}
