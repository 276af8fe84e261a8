package org.modelpar.executor.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The host copies a calibration times, and the rate they give, by hand. */
class HostCopiesTest {
    /**
     * Two fp32 tensors of 6 and 4 elements (40 bytes): a round is 4 calls moving 160 bytes (a read and a write each way),
     * and leaves the tensors as they were.
     */
    @Test
    void aRoundCopiesEveryTensorIntoTheFlatVectorAndBack() {
        INDArray w = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3});
        INDArray b = Nd4j.createFromArray(7f, 8f, 9f, 10f);
        HostCopies copies = new HostCopies(Map.of("w", w, "b", b));
        assertThat(copies.calls()).isEqualTo(4);
        assertThat(copies.bytesMoved()).isEqualTo(160.0);
        assertThat(copies.sample()).isPositive();
        assertThat(w.reshape(6).toFloatVector()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(b.toFloatVector()).containsExactly(7, 8, 9, 10);
    }

    /** The tiny copies that time a call: 64 tensors of 4 x 4 in the given type, 128 calls moving 4 x 64 x 16 elements. */
    @Test
    void tinyCopiesAreMostlyCalls() {
        HostCopies fp32 = HostCopies.tiny(DataType.FLOAT);
        assertThat(fp32.calls()).isEqualTo(128);
        assertThat(fp32.bytesMoved()).isEqualTo(4.0 * 64 * 16 * 4);
        assertThat(HostCopies.tiny(DataType.BFLOAT16).bytesMoved()).isEqualTo(4.0 * 64 * 16 * 2);
    }

    /**
     * A round of 100 us with calls of 10 us: the 4 calls take 40 us, the other 60 us are 160 bytes' (0.375 us a byte);
     * where the calls take the whole round, or nothing moves, the bytes cost nothing.
     */
    @Test
    void theRateIsTheCallsAndTheRestPerByte() {
        HostCopies copies = new HostCopies(Map.of("w", Nd4j.zeros(2, 3), "b", Nd4j.zeros(4)));
        CalibratedCostModel.HostRate rate = copies.rate(1e-4, 1e-5);
        assertThat(rate.callSeconds()).isEqualTo(1e-5);
        assertThat(rate.secondsPerByte()).isCloseTo(6e-5 / 160, offset(1e-18));
        assertThat(copies.rate(3e-5, 1e-5).secondsPerByte()).isZero();
        HostCopies none = new HostCopies(Map.of());
        assertThat(none.calls()).isZero();
        assertThat(none.rate(1e-4, 1e-5).secondsPerByte()).isZero();
    }
}
