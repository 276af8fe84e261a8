package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Output projection tied to the word embedding: {@code logits = x W^T}, W = {@code tiedTo.word [V, h]}.
 * Under tensor parallelism a rank holds the embedding's part of the vocabulary and computes those logit
 * columns only, for its vocabulary-parallel {@link CrossEntropy}, and sums the input gradients of the parts in backward.
 */
final class Logits implements SplitBackward {
    private final String word;
    private final TensorGroup group;
    private final Optional<SequenceSplit> sequence;
    private final List<ParameterSpec> params;

    Logits(String tiedTo, long vocab, long hidden, TensorParallel tp) {
        this.word = Embedding.wordName(tiedTo);
        this.group = tp.group();
        this.sequence = tp.sequence();
        this.params = List.of(Embedding.wordSpec(tiedTo, vocab, hidden, tp));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray in = inputs.get(0);
        INDArray x = whole(in);
        return new Forward(x.mmul(p.get(word).transpose()), List.of(in));
    }

    /** {@code dX = dY W}, summed over the group. */
    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray dx = g.mmul(p.get(word));
        if (sequence.isPresent()) {
            return Arrays.asList(sequence.get().reduceScatter(dx));
        }
        group.allReduce(dx);
        return Arrays.asList(dx);
    }

    /** {@code dW = dY^T X}. */
    @Override
    public Map<String, INDArray> weightGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return Map.of(word, g.transpose().mmul(whole(saved.get(0))));
    }

    /** The input over the whole sequence (all-gathered from the ranks' parts with sequence parallelism). */
    private INDArray whole(INDArray x) {
        return sequence.isPresent() ? sequence.get().gather(x) : x;
    }
}
