package org.modelpar.executor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Tensors#oneHot}: rows of ids given as floats, whole vocabulary and a vocabulary-parallel rank's range. */
class OneHotTest {
    private final INDArray ids = Nd4j.create(new float[] {3, 0, 5, 1, 2, 5}, new long[] {2, 3});

    @Test
    void eachIdIsOneOneInItsRow() {
        INDArray rows = Tensors.oneHot(ids, 6, DataType.FLOAT);
        assertThat(rows.shape()).containsExactly(6, 6);
        assertThat(rows.dataType()).isEqualTo(DataType.FLOAT);
        float[][] expected = new float[6][6];
        int[] id = {3, 0, 5, 1, 2, 5};
        for (int i = 0; i < id.length; i++) {
            expected[i][id[i]] = 1f;
        }
        assertThat(rows.toFloatMatrix()).isDeepEqualTo(expected);
    }

    /** A rank holding classes [2, 5) of 6: ids 0, 1 and 5 give zero rows, 2-4 a one in columns 0-2. */
    @Test
    void idsOutsideTheRanksClassesGiveZeroRows() {
        INDArray rows = Tensors.oneHot(ids, 6, 2, 3, DataType.DOUBLE);
        assertThat(rows.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(rows.toDoubleMatrix()).isDeepEqualTo(new double[][] {
            {0, 1, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {1, 0, 0}, {0, 0, 0}});
    }

    @Test
    void anIdOutsideTheVocabularyIsRefused() {
        assertThatThrownBy(() -> Tensors.oneHot(Nd4j.createFromArray(1f, 6f), 6, DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("token id 6 outside vocabulary of 6");
        assertThatThrownBy(() -> Tensors.oneHot(Nd4j.createFromArray(-1f, 2f), 6, DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("token id -1 outside vocabulary of 6");
    }
}
