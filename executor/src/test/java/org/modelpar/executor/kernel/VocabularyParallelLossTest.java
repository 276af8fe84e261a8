package org.modelpar.executor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Exchanger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The vocabulary-parallel cross-entropy on two ranks, each holding 4 of the 8 logit columns of 6 tokens, against the
 * loss over the whole vocabulary: the same loss on both ranks, each rank's logit gradients the whole's columns, and a
 * stash of its own columns only.
 */
class VocabularyParallelLossTest {
    private static final long VOCAB = 8;
    private static final double SCALE = 1.0 / 6;

    @Test
    void twoRanksComputeTheWholeLossFromTheirColumns() throws Exception {
        Nd4j.getRandom().setSeed(3);
        INDArray logits = Nd4j.randn(DataType.DOUBLE, 6, VOCAB).muli(3);
        INDArray ids = Nd4j.createFromArray(new double[][] {{0, 3, 7}, {4, 5, 1}});
        Kernel.Forward whole = new CrossEntropy(VOCAB, SCALE, VOCAB, TensorGroup.SOLO).forward(List.of(logits, ids), Map.of(), 2);
        INDArray wholeGradient = new CrossEntropy(VOCAB, SCALE, VOCAB, TensorGroup.SOLO).backward(null, whole.saved(), Map.of())
                .inputGrads().get(0);
        Exchanger<INDArray> wire = new Exchanger<>();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<CompletableFuture<Kernel.Forward>> ranks = List.of(0, 1).stream().map(r -> CompletableFuture.supplyAsync(() -> {
            CrossEntropy part = new CrossEntropy(VOCAB, SCALE, VOCAB / 2, new Pair(r, wire));
            Kernel.Forward f = part.forward(List.of(columns(logits, r), ids), Map.of(), 2);
            INDArray gradient = part.backward(null, f.saved(), Map.of()).inputGrads().get(0);
            assertThat(gradient.equalsWithEps(columns(wholeGradient, r), 1e-12)).as("rank %d's logit gradients", r).isTrue();
            return f;
        }, threads)).toList();
        for (CompletableFuture<Kernel.Forward> rank : ranks) {
            Kernel.Forward f = rank.get(30, TimeUnit.SECONDS);
            assertThat(f.output().getDouble(0)).isCloseTo(whole.output().getDouble(0), within(1e-12));
            assertThat(f.saved().get(0).shape()).containsExactly(6, VOCAB / 2);
        }
        threads.shutdown();
    }

    private static INDArray columns(INDArray a, int rank) {
        return Tensors.columns(a, rank * VOCAB / 2, VOCAB / 2);
    }

    /** Two ranks of one process: each collective swaps the values with the other rank. */
    private record Pair(int rank, Exchanger<INDArray> wire) implements TensorGroup {
        @Override
        public int size() {
            return 2;
        }

        @Override
        public void allReduce(INDArray values) {
            values.addi(swap(values));
        }

        @Override
        public INDArray allGather(INDArray part) {
            INDArray other = swap(part);
            return Nd4j.vstack(rank == 0 ? part.reshape(1, part.length()) : other.reshape(1, other.length()),
                    rank == 0 ? other.reshape(1, other.length()) : part.reshape(1, part.length()));
        }

        @Override
        public INDArray reduceScatter(INDArray values) {
            throw new UnsupportedOperationException("not used by the loss");
        }

        private INDArray swap(INDArray mine) {
            try {
                return wire.exchange(mine.dup(), 30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
