package org.modelpar.executor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class RoutingTest {
    /**
     * One sample of 3 tokens, 3 experts, top-2, capacity 2. Token 0 picks experts 0 then 1 (a tie, the lower index
     * first); token 1 picks 2 then 0; token 2 picks 0 then 2, and expert 0 is full, so only expert 2 takes it.
     */
    @Test
    void topKWithTieBreakAndCapacity() {
        INDArray probs = Nd4j.createFromArray(new double[][] {{0.4, 0.4, 0.2}, {0.3, 0.1, 0.6}, {0.5, 0.2, 0.3}});
        Routing r = Routing.of(probs, 2, 1, 2);
        INDArray tokens = Nd4j.createFromArray(new double[][] {{1}, {2}, {3}});
        assertThat(r.dispatch(tokens, 0).toDoubleVector()).containsExactly(1, 2);
        assertThat(r.dispatch(tokens, 1).toDoubleVector()).containsExactly(1, 0);
        assertThat(r.dispatch(tokens, 2).toDoubleVector()).containsExactly(2, 3);
        INDArray slots = Nd4j.createFromArray(new double[][] {{10}, {20}});
        assertThat(r.undispatch(slots, 0).toDoubleVector()).containsExactly(10, 20, 0);
        assertThat(r.undispatch(slots, 2).toDoubleVector()).containsExactly(0, 10, 20);
    }

    /** Each sample fills its own slots, so a token's experts do not depend on the other samples of the batch. */
    @Test
    void everySampleIsItsOwnGroup() {
        INDArray probs = Nd4j.createFromArray(new double[][] {{0.9, 0.1}, {0.8, 0.2}, {0.7, 0.3}, {0.6, 0.4}});
        Routing r = Routing.of(probs, 1, 2, 1);
        INDArray tokens = Nd4j.createFromArray(new double[][] {{1}, {2}, {3}, {4}}).castTo(DataType.FLOAT);
        assertThat(r.dispatch(tokens, 0).toDoubleVector()).containsExactly(1, 3);
        assertThat(r.dispatch(tokens, 1).toDoubleVector()).containsExactly(0, 0);
        assertThat(r.slots()).isEqualTo(2);
    }

    /**
     * An expert that takes one token of several gets that row and zero rows, at the rows' width and type (bf16 here);
     * probabilities given as a view (columns of a wider array, column-major) route as their bf16 copy does.
     */
    @Test
    void aPartlyFilledExpertKeepsTheRowsWidthAndType() {
        INDArray wide = Nd4j.createFromArray(new double[][] {{0.9, 0.1, 7}, {0.2, 0.8, 7}, {0.3, 0.7, 7}}).dup('f');
        INDArray probs = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2));
        assertThat(probs.isView()).isTrue();
        Routing r = Routing.of(probs, 1, 1, 3);
        INDArray tokens = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 4}, {5, 6}}).castTo(DataType.BFLOAT16);
        INDArray first = r.dispatch(tokens, 0);
        assertThat(first.dataType()).isEqualTo(DataType.BFLOAT16);
        assertThat(first.shape()).containsExactly(3, 2);
        assertThat(first.toDoubleMatrix()).isDeepEqualTo(new double[][] {{1, 2}, {0, 0}, {0, 0}});
        assertThat(r.dispatch(tokens, 1).toDoubleMatrix()).isDeepEqualTo(new double[][] {{3, 4}, {5, 6}, {0, 0}});
        INDArray back = r.undispatch(Nd4j.createFromArray(new double[][] {{10, 20}, {0, 0}, {0, 0}}).castTo(DataType.BFLOAT16), 0);
        assertThat(back.toDoubleMatrix()).isDeepEqualTo(new double[][] {{10, 20}, {0, 0}, {0, 0}});
        Routing copy = Routing.of(probs.dup('c').castTo(DataType.BFLOAT16), 1, 1, 3);
        assertThat(copy.dispatch(tokens, 1).toDoubleMatrix()).isDeepEqualTo(r.dispatch(tokens, 1).toDoubleMatrix());
    }
}
