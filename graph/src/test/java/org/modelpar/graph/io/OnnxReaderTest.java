package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.io.onnx.OnnxProto.TensorProto;
import org.modelpar.graph.coarsen.Coarsener;
import org.modelpar.graph.zoo.ModelZoo;

class OnnxReaderTest {
    @TempDir
    Path dir;

    private ComputationGraph read(String name, byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve(name), bytes);
        return GraphReader.read(file, GraphFormat.guess(file));
    }

    @Test
    void aTransformerExportedLikeTorchHasTheZooModelsParametersAndFlops() throws IOException {
        ComputationGraph onnx = read("gpt.onnx", OnnxModels.gpt(2, 64, 4, 32, 64));
        ComputationGraph zoo = ModelZoo.build("gpt:layers=2,hidden=64,heads=4,seq=32,vocab=64");
        assertThat(onnx.name()).isEqualTo("gpt");
        assertThat(onnx.parameterBytes()).isEqualTo(zoo.parameterBytes()).isEqualTo(4L * 106_240);
        assertThat(onnx.forwardFlopsPerSample()).isEqualTo(zoo.forwardFlopsPerSample());
        assertThat(onnx.backwardFlopsPerSample()).isEqualTo(zoo.backwardFlopsPerSample());
        OpNode qkv = onnx.op("/transformer/h.1/attn/c_attn/MatMul").orElseThrow();
        assertThat(qkv.kind()).isEqualTo("matmul");
        assertThat(qkv.layer()).isEqualTo("block1");
        assertThat(qkv.parameterCount()).isEqualTo(64L * 192);
        assertThat(qkv.activationBytes()).isEqualTo(4L * 32 * 192);
        assertThat(onnx.op("/transformer/h.0/attn/Softmax").orElseThrow().activationBytes()).isEqualTo(4L * 4 * 32 * 32);
        assertThat(onnx.op("/lm_head/MatMul").orElseThrow().layer()).isEqualTo("lm_head");
        // the word table is counted once although the head reads it again
        assertThat(onnx.op("/lm_head/Transpose").orElseThrow().parameterCount()).isZero();
        assertThat(Coarsener.byLayer(onnx).graph().ops()).extracting(OpNode::id).contains("block0", "block1");
    }

    @Test
    void aCnnHasItsHandCountedParametersAndFlopsPerSample() throws IOException {
        // conv1 8*27+8, conv2 16*72+16, fc 10*16+10; FLOPs 2 x output values x fan-in
        long parameters = 8 * 27 + 8 + 16 * 72 + 16 + 10 * 16 + 10;
        double flops = 2.0 * 8 * 32 * 32 * 27 + 2.0 * 16 * 16 * 16 * 72 + 2.0 * 10 * 16;
        for (long batch : new long[] {-1, 8}) {
            ComputationGraph g = read("cnn.onnx", OnnxModels.cnn(batch, false));
            assertThat(g.parameterBytes() / 4).isEqualTo(parameters);
            assertThat(g.forwardFlopsPerSample()).isEqualTo(flops);
            assertThat(g.op("/pool/MaxPool").orElseThrow().activationBytes()).isEqualTo(4L * 8 * 16 * 16);
        }
    }

    @Test
    void externalDataInitializersCountByTheirDimsAndTheirFileMustExist() throws IOException {
        byte[] model = OnnxModels.cnn(1, true);
        assertThatThrownBy(() -> read("ext.onnx", model)).isInstanceOf(GraphException.class)
                .hasMessage("ext.onnx: initializer 'conv1.weight': external data file weights.bin not found");
        Files.write(dir.resolve("weights.bin"), new byte[864]);
        assertThatThrownBy(() -> read("ext.onnx", model))
                .hasMessage("ext.onnx: initializer 'conv2.weight': external data ends at byte 5472, past the end of weights.bin (864 bytes)");
        Files.write(dir.resolve("weights.bin"), new byte[864 + 4608]);
        assertThat(read("ext.onnx", model).parameterBytes()).isEqualTo(read("cnn.onnx", OnnxModels.cnn(1, false)).parameterBytes());
    }

    @Test
    void badInputNamesTheNodeOrTheField() {
        assertThatThrownBy(() -> read("junk.onnx", new byte[] {8, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1}))
                .isInstanceOf(GraphException.class).hasMessageStartingWith("junk.onnx: not an ONNX model: ");
        assertThatThrownBy(() -> read("empty.onnx", new byte[0])).hasMessage("empty.onnx: graph: missing or without nodes (not an ONNX model?)");
        OnnxModels lstm = new OnnxModels().input("x", TensorProto.DataType.FLOAT, 1, 4, 8);
        lstm.output(lstm.node("/rnn/LSTM", "LSTM", List.of("x", lstm.weight("w", 1, 64, 8))));
        assertThatThrownBy(() -> read("lstm.onnx", lstm.bytes())).hasMessage("lstm.onnx: node '/rnn/LSTM' (LSTM): op type LSTM is not supported"
                + " (supported: " + String.join(", ", OnnxShapes.SUPPORTED) + ")");
        OnnxModels bad = new OnnxModels().input("x", TensorProto.DataType.FLOAT, 1, 4, 8);
        bad.output(bad.node("/fc/MatMul", "MatMul", List.of("x", bad.weight("w", 7, 3))));
        assertThatThrownBy(() -> read("bad.onnx", bad.bytes())).hasMessage("bad.onnx: node '/fc/MatMul' (MatMul): shapes [1, 4, 8] and [7, 3] do not multiply");
    }

    @Test
    void layerTagsComeFromNodeNames() {
        assertThat(OnnxReader.layer("/model/layers.3/self_attn/q_proj/MatMul")).isEqualTo("block3");
        assertThat(OnnxReader.layer("/transformer/h.11/mlp/c_fc/MatMul")).isEqualTo("block11");
        assertThat(OnnxReader.layer("/model/embed_tokens/Gather")).isEqualTo("embed_tokens");
        assertThat(OnnxReader.layer("MatMul_7")).isEmpty();
    }
}
