package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the wire format a worker reads from its peers ({@link TensorCodec#decode}): any bytes either decode into a
 * message, which encodes and decodes again to the same key and tensors, bit for bit, or fail with a one-line
 * {@code malformed message on the wire: ...} error; never another exception, an {@code OutOfMemoryError} (a rank or
 * tensor count the bytes cannot hold) or a hang. Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/executor/transport/TensorCodecFuzzTestInputs/wireMessage/}.
 */
class TensorCodecFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"FLOAT", "DOUBLE", "HALF", "BFLOAT16", "INT", "UTF8", "act mb0", "grad mb1"})
    void wireMessage(byte[] input) {
        Message m;
        try {
            m = TensorCodec.decode(input);
        } catch (IllegalStateException e) {
            assertThat(e.getMessage()).startsWith("malformed message on the wire: ").doesNotContain("\n").doesNotContain("\r");
            return;
        }
        byte[] encoded = TensorCodec.encode(m);
        Message back = TensorCodec.decode(encoded);
        assertThat(back.key()).isEqualTo(m.key());
        assertThat(back.tensors().keySet()).containsExactlyInAnyOrderElementsOf(m.tensors().keySet());
        assertThat(TensorCodec.encode(back)).as("bit-exact, NaNs too").isEqualTo(encoded);
    }
}
