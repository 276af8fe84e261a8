package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The wire format of views: copied straight from their buffer where their values lie in one run, else compacted first. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TensorCodecTest {
    private static final Message.Key KEY = new Message.Key("a", "b", "t");

    @Test
    void viewsTravelAsTheirOwnValues() {
        INDArray m = Nd4j.linspace(DataType.FLOAT, 0, 60, 1).reshape(6, 10);
        INDArray rows = m.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
        INDArray flat = Nd4j.linspace(DataType.DOUBLE, 0, 100, 1);
        INDArray chunk = flat.get(NDArrayIndex.interval(30, 70));
        INDArray chunkOfChunk = chunk.get(NDArrayIndex.interval(5, 12));
        INDArray columns = m.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6));
        INDArray half = m.castTo(DataType.HALF).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
        Map<String, INDArray> sent = Map.of("rows", rows, "chunk", chunk, "chunkOfChunk", chunkOfChunk, "columns", columns, "half", half);
        Map<String, INDArray> got = TensorCodec.decode(TensorCodec.encode(Message.of(KEY, sent))).tensors();
        sent.forEach((name, t) -> {
            assertThat(got.get(name).shape()).as(name).containsExactly(t.shape());
            assertThat(got.get(name).dataType()).as(name).isEqualTo(t.dataType());
            assertThat(got.get(name).castTo(DataType.DOUBLE).data().asDouble()).as(name)
                    .containsExactly(t.dup('c').castTo(DataType.DOUBLE).data().asDouble());
        });
        assertThat(got.get("chunkOfChunk").getDouble(0)).isEqualTo(35.0);
    }

    @Test
    void onlyArraysWhoseValuesLieInOneRunCountAsCompact() {
        INDArray m = Nd4j.zeros(DataType.FLOAT, 6, 10);
        assertThat(TensorCodec.compactC(m)).isTrue();
        assertThat(TensorCodec.compactC(m.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()))).isTrue();
        assertThat(TensorCodec.compactC(m.get(NDArrayIndex.point(3), NDArrayIndex.all()))).isTrue();
        assertThat(TensorCodec.compactC(m.get(NDArrayIndex.all(), NDArrayIndex.interval(3, 6)))).isFalse();
        assertThat(TensorCodec.compactC(m.transpose())).isFalse();
        assertThat(TensorCodec.compactC(m.dup('f'))).isFalse();
    }
}
