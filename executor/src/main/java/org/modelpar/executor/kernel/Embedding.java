package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.executor.kernel.ParameterSpec.Init;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Word plus learned position embedding. Input: token ids {@code [n, s]}; output rows {@code [n * s, h]}.
 * Parameters {@code embed.word [V, h]} (also read by the tied {@link Logits}) and {@code embed.position [s, h]}.
 * Lookups are one-hot products, so forward and backward are exact and deterministic; the stash keeps the ids.
 * Under tensor parallelism each rank holds a part of the vocabulary's rows (Megatron-LM's vocabulary-parallel
 * embedding): it looks up the ids in its part, and the group sums the lookups; with sequence parallelism the sum is
 * reduce-scattered along the sequence and each rank adds the positions of its part ({@link SequenceSplit}).
 */
final class Embedding implements SplitBackward {
    static final double INIT_STD = 0.1;
    private final String word;
    private final String position;
    private final long vocab;
    private final long seq;
    private final long firstId;
    private final long localVocab;
    private final TensorGroup group;
    private final Optional<SequenceSplit> sequence;
    private final List<ParameterSpec> params;

    Embedding(String opId, long vocab, long hidden, long seq, long localVocab, TensorParallel tp) {
        this.word = wordName(opId);
        this.position = opId + ".position";
        this.vocab = vocab;
        this.seq = seq;
        this.localVocab = localVocab;
        this.group = tp.group();
        this.sequence = tp.sequence();
        this.firstId = group.rank() * localVocab;
        this.params = List.of(wordSpec(opId, vocab, hidden, tp),
                new ParameterSpec(position, new long[] {seq, hidden}, Init.NORMAL, INIT_STD));
    }

    static String wordName(String opId) {
        return opId + ".word";
    }

    /** The word embedding, of which a tensor-parallel rank holds a part of the rows. */
    static ParameterSpec wordSpec(String opId, long vocab, long hidden, TensorParallel tp) {
        return new ParameterSpec(wordName(opId), new long[] {vocab, hidden}, Init.NORMAL, INIT_STD, tp.shard(0, 1));
    }

    @Override
    public List<ParameterSpec> parameters() {
        return params;
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray w = p.get(word);
        INDArray oneHot = Tensors.oneHot(inputs.get(0), vocab, firstId, localVocab, w.dataType());
        INDArray out = oneHot.mmul(w);
        if (sequence.isPresent()) {
            SequenceSplit sp = sequence.get();
            INDArray part = sp.reduceScatter(out);
            INDArray positions = p.get(position).get(NDArrayIndex.interval(sp.firstPosition(), sp.firstPosition() + sp.partLength()),
                    NDArrayIndex.all());
            return new Forward(part.addi(Nd4j.tile(positions, samples, 1)), List.of(inputs.get(0)));
        }
        group.allReduce(out);
        out.addi(Nd4j.tile(p.get(position), samples, 1));
        return new Forward(out, List.of(inputs.get(0)));
    }

    /** Token ids have no gradient. */
    @Override
    public List<INDArray> inputGradients(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return Arrays.asList((INDArray) null);
    }

    @Override
    public Map<String, INDArray> weightGradients(INDArray part, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray g = sequence.isPresent() ? sequence.get().gather(part) : part;
        INDArray oneHot = Tensors.oneHot(saved.get(0), vocab, firstId, localVocab, g.dataType());
        long n = g.size(0) / seq;
        return Map.of(word, oneHot.transpose().mmul(g), position, g.reshape(n, seq, g.size(1)).sum(0));
    }
}
