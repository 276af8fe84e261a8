package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.transport.RingCollectives;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ZeRO's packing into a flat buffer the collectives lend: the layout by hand, and a reused buffer packs the same; a
 * part is one view per array, kept.
 */
class ZeroShardsTest {
    @Test
    void packsPartByPartIntoALentBufferAndReusesItWithItsPaddingZeroed() {
        RingCollectives buffers = new RingCollectives(new InProcessTransport(Map.of("d0", 1)));
        ZeroShards shards = new ZeroShards(0, 2);
        Map<String, INDArray> tensors = Map.of("a", Nd4j.createFromArray(1f, 2f, 3f), "b", Nd4j.createFromArray(4f));
        // parts of 2 elements for a and 1 for b: part 0 is a[0..2) and b, part 1 is a[2], a padding element, b's empty part
        INDArray first = shards.pack(tensors, buffers);
        assertThat(first.toFloatVector()).containsExactly(1f, 2f, 4f, 3f, 0f, 0f);
        first.assign(9); // what a reduce-scatter leaves in it
        buffers.giveBack(first);
        INDArray again = shards.pack(tensors, buffers);
        assertThat(again).isSameAs(first);
        assertThat(again.toFloatVector()).containsExactly(1f, 2f, 4f, 3f, 0f, 0f);
    }

    @Test
    void aPartIsOneViewOfItsArrayKeptFromCallToCall() {
        ZeroShards shards = new ZeroShards(1, 2);
        INDArray t = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}});
        INDArray part = shards.part(t).orElseThrow();
        assertThat(part.toFloatVector()).containsExactly(3f, 4f);
        assertThat(shards.part(t).orElseThrow()).isSameAs(part);
        part.assign(7);
        assertThat(t.reshape(4).toFloatVector()).as("a view writes through").containsExactly(1f, 2f, 7f, 7f);
        INDArray equal = t.dup();
        assertThat(shards.part(equal).orElseThrow()).as("an equal array of its own: its own view").isNotSameAs(part);
    }
}
