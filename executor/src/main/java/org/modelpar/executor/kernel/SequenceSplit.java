package org.modelpar.executor.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Megatron-LM's sequence parallelism (Korthikanti et al., "Reducing Activation Recomputation in Large Transformer
 * Models", 2022, section 4.2.2): outside the tensor-parallel regions (layer norms, residual adds, the embedding's
 * output, the logits' input) rank r of t holds tokens {@code [r s / t, (r + 1) s / t)} of every sample, rows
 * {@code [n * s / t, h]} in sample order. Entering a tensor-parallel region the parts are all-gathered along the
 * sequence (Megatron's g); leaving it, the partial sums are reduce-scattered along the sequence (g-bar), the pair
 * that replaces each all-reduce. The rows of an all-gathered or reduce-scattered tensor are grouped by rank on the
 * wire: {@code [n, s, h]} is viewed as {@code [n, t, s / t, h]} and rank r's chunk is every sample's r-th part (one
 * sample's rows are already in that order, and move without a copy).
 */
public final class SequenceSplit {
    private final TensorGroup group;
    private final long seq;

    SequenceSplit(TensorGroup group, long seq) {
        this.group = group;
        this.seq = seq;
    }

    /** Tokens per sample a rank holds. */
    long partLength() {
        return seq / group.size();
    }

    /** The position of this rank's first token in each sample. */
    long firstPosition() {
        return group.rank() * partLength();
    }

    /** Every rank's part, as the whole sequence's rows {@code [n * s, h]}. */
    INDArray gather(INDArray part) {
        return join(group.allGather(part), seq, part.size(1));
    }

    /**
     * The whole sequence's rows {@code [n * s, h]} from every rank's part, row r of {@code byRank} being rank r's
     * {@code [n * s / t, h]} flattened.
     */
    public static INDArray join(INDArray byRank, long seq, long h) {
        long t = byRank.size(0);
        long n = byRank.length() / (seq * h);
        if (n == 1) {
            return byRank.reshape('c', seq, h);
        }
        return byRank.reshape('c', t, n, seq / t, h).permute(1, 0, 2, 3).dup('c').reshape('c', n * seq, h);
    }

    /** A copy of part {@code index} of {@code t} of every sample's sequence in {@code rows} ({@code [n * s, h]}). */
    public static INDArray cut(INDArray rows, long seq, int t, int index) {
        long h = rows.size(1);
        long n = rows.size(0) / seq;
        return rows.reshape('c', n, t, seq / t, h).get(NDArrayIndex.all(), NDArrayIndex.point(index), NDArrayIndex.all(),
                NDArrayIndex.all()).dup('c').reshape('c', n * seq / t, h);
    }

    /** {@code whole}'s rows {@code [n * s, h]} summed over the group, this rank's part {@code [n * s / t, h]} of them. */
    INDArray reduceScatter(INDArray whole) {
        int t = group.size();
        long h = whole.size(1);
        long n = whole.size(0) / seq;
        INDArray byRank = n == 1 ? whole : whole.reshape('c', n, t, partLength(), h).permute(1, 0, 2, 3).dup('c');
        return group.reduceScatter(byRank).reshape('c', n * partLength(), h);
    }
}
