package org.modelpar.executor.train;

import java.util.Random;
import org.modelpar.executor.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Next-token prediction on arithmetic progressions modulo the vocabulary: each sequence starts at a
 * random token a and steps by a random stride k in {1, 2, 3}, {@code x_t = (a + k t) mod V}. After two
 * tokens the rest is determined, so a model that attends to the previous tokens drives the loss from
 * {@code ln V} towards zero.
 */
public final class SequenceTask implements SyntheticTask {
    private final int vocab;
    private final int seq;
    private final long seed;

    public SequenceTask(int vocab, int seq, long seed) {
        this.vocab = vocab;
        this.seq = seq;
        this.seed = seed;
    }

    @Override
    public Batch batch(int step, int globalBatchSize) {
        Random r = new Random(seed * 1_000_003L + step);
        double[] in = new double[globalBatchSize * seq];
        double[] out = new double[globalBatchSize * seq];
        for (int b = 0; b < globalBatchSize; b++) {
            int a = r.nextInt(vocab);
            int k = 1 + r.nextInt(3);
            for (int t = 0; t < seq; t++) {
                in[b * seq + t] = Math.floorMod(a + (long) k * t, vocab);
                out[b * seq + t] = Math.floorMod(a + (long) k * (t + 1), vocab);
            }
        }
        long[] shape = {globalBatchSize, seq};
        return new Batch(Nd4j.create(in, shape, DataType.FLOAT), Nd4j.create(out, shape, DataType.FLOAT));
    }

    @Override
    public String describe() {
        return "next-token prediction on progressions modulo " + vocab + ", sequence " + seq;
    }
}
