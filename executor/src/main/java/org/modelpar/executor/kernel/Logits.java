package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Output projection tied to the word embedding: {@code logits = x W^T}, W = {@code tiedTo.word [V, h]}. */
final class Logits implements Kernel {
    private final String word;
    private final List<ParameterSpec> params;

    Logits(String tiedTo, long vocab, long hidden) {
        this.word = Embedding.wordName(tiedTo);
        this.params = List.of(Embedding.wordSpec(tiedTo, vocab, hidden));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        return new Forward(x.mmul(p.get(word).transpose()), List.of(x));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray x = saved.get(0);
        return new Backward(Arrays.asList(g.mmul(p.get(word))), Map.of(word, g.transpose().mmul(x)));
    }
}
