package org.modelpar.graph.io;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.graph.io.onnx.OnnxProto.AttributeProto;
import org.modelpar.graph.io.onnx.OnnxProto.GraphProto;
import org.modelpar.graph.io.onnx.OnnxProto.ModelProto;
import org.modelpar.graph.io.onnx.OnnxProto.NodeProto;
import org.modelpar.graph.io.onnx.OnnxProto.OperatorSetIdProto;
import org.modelpar.graph.io.onnx.OnnxProto.StringStringEntryProto;
import org.modelpar.graph.io.onnx.OnnxProto.TensorProto;
import org.modelpar.graph.io.onnx.OnnxProto.TensorShapeProto;
import org.modelpar.graph.io.onnx.OnnxProto.TypeProto;
import org.modelpar.graph.io.onnx.OnnxProto.ValueInfoProto;
import com.google.protobuf.ByteString;

/**
 * Builds ONNX models with the generated protobuf classes, named and shaped the way {@code torch.onnx.export}
 * writes them (node names {@code /transformer/h.0/attn/c_attn/MatMul}, outputs {@code <node>_output_0},
 * constant shapes as Constant nodes).
 */
final class OnnxModels {
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("main_graph");

    /** A graph input; a dimension of -1 is symbolic ({@code batch_size}). */
    OnnxModels input(String name, TensorProto.DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        g.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))));
        return this;
    }

    /** A float weight of the given dims (zeros), inline. */
    String weight(String name, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        g.addInitializer(tensor(name, TensorProto.DataType.FLOAT, dims).setRawData(ByteString.copyFrom(new byte[(int) n * 4])));
        return name;
    }

    /** A float weight stored in an external file at {@code offset}. */
    String externalWeight(String name, String location, long offset, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        g.addInitializer(tensor(name, TensorProto.DataType.FLOAT, dims).setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue(String.valueOf(offset)))
                .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(String.valueOf(4 * n))));
        return name;
    }

    private static TensorProto.Builder tensor(String name, TensorProto.DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    /** A Constant node holding int64 values, as torch writes reshape targets and split sizes. */
    String constant(String name, long... values) {
        TensorProto.Builder t = tensor("", TensorProto.DataType.INT64, values.length);
        for (long v : values) {
            t.addInt64Data(v);
        }
        g.addNode(NodeProto.newBuilder().setName(name).setOpType("Constant").addOutput(name + "_output_0")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t)));
        return name + "_output_0";
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A node with one output {@code <name>_output_0}. */
    String node(String name, String opType, List<String> inputs, AttributeProto... attributes) {
        return nodeWithOutputs(name, opType, inputs, 1, attributes).get(0);
    }

    List<String> nodeWithOutputs(String name, String opType, List<String> inputs, int outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setName(name).setOpType(opType).addAllInput(inputs);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < outputs; i++) {
            names.add(name + "_output_" + i);
            n.addOutput(name + "_output_" + i);
        }
        n.addAllAttribute(List.of(attributes));
        g.addNode(n);
        return names;
    }

    OnnxModels output(String name) {
        g.addOutput(ValueInfoProto.newBuilder().setName(name));
        return this;
    }

    byte[] bytes() {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch").setProducerVersion("2.1.0")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g).build().toByteArray();
    }

    /**
     * A GPT-2-style decoder as torch.onnx exports GPT2LMHeadModel: word and position Gathers, per block
     * LayerNormalization, c_attn MatMul + Add, Split into q/k/v, head Reshape/Transpose, Q K^T MatMul, scale
     * Div, Softmax, P V MatMul, merge Transpose/Reshape, c_proj, residual Add, LayerNormalization, c_fc,
     * Gelu, c_proj, residual Add; final LayerNormalization; lm_head MatMul against the transposed word table.
     */
    static byte[] gpt(int layers, long h, long heads, long s, long vocab) {
        OnnxModels m = new OnnxModels().input("input_ids", TensorProto.DataType.INT64, -1, s);
        long d = h / heads;
        String wte = m.weight("transformer.wte.weight", vocab, h);
        String x = m.node("/transformer/wte/Gather", "Gather", List.of(wte, "input_ids"));
        String positions = m.constant("/transformer/Constant", new long[(int) s]);
        String pos = m.node("/transformer/wpe/Gather", "Gather", List.of(m.weight("transformer.wpe.weight", s, h), positions));
        x = m.node("/transformer/Add", "Add", List.of(x, pos));
        for (int i = 0; i < layers; i++) {
            String p = "/transformer/h." + i + "/";
            String w = "transformer.h." + i + ".";
            String ln = m.node(p + "ln_1/LayerNormalization", "LayerNormalization",
                    List.of(x, m.weight(w + "ln_1.weight", h), m.weight(w + "ln_1.bias", h)), integer("axis", -1));
            String qkv = m.node(p + "attn/c_attn/Add", "Add", List.of(m.node(p + "attn/c_attn/MatMul", "MatMul",
                    List.of(ln, m.weight(w + "attn.c_attn.weight", h, 3 * h))), m.weight(w + "attn.c_attn.bias", 3 * h)));
            List<String> split = m.nodeWithOutputs(p + "attn/Split", "Split", List.of(qkv, m.constant(p + "attn/Constant", h, h, h)), 3,
                    integer("axis", 2));
            String heads4 = m.constant(p + "attn/Constant_1", 0, 0, heads, d);
            String q = m.node(p + "attn/Transpose", "Transpose", List.of(m.node(p + "attn/Reshape", "Reshape", List.of(split.get(0), heads4))),
                    ints("perm", 0, 2, 1, 3));
            String k = m.node(p + "attn/Transpose_1", "Transpose", List.of(m.node(p + "attn/Reshape_1", "Reshape", List.of(split.get(1), heads4))),
                    ints("perm", 0, 2, 3, 1));
            String v = m.node(p + "attn/Transpose_2", "Transpose", List.of(m.node(p + "attn/Reshape_2", "Reshape", List.of(split.get(2), heads4))),
                    ints("perm", 0, 2, 1, 3));
            String scores = m.node(p + "attn/Div", "Div", List.of(m.node(p + "attn/MatMul", "MatMul", List.of(q, k)), m.constant(p + "attn/Constant_3", d)));
            String probs = m.node(p + "attn/Softmax", "Softmax", List.of(scores), integer("axis", -1));
            String context = m.node(p + "attn/Transpose_3", "Transpose", List.of(m.node(p + "attn/MatMul_1", "MatMul", List.of(probs, v))),
                    ints("perm", 0, 2, 1, 3));
            context = m.node(p + "attn/Reshape_3", "Reshape", List.of(context, m.constant(p + "attn/Constant_2", 0, 0, h)));
            String proj = m.node(p + "attn/c_proj/Add", "Add", List.of(m.node(p + "attn/c_proj/MatMul", "MatMul",
                    List.of(context, m.weight(w + "attn.c_proj.weight", h, h))), m.weight(w + "attn.c_proj.bias", h)));
            String add1 = m.node(p + "Add", "Add", List.of(x, proj));
            String ln2 = m.node(p + "ln_2/LayerNormalization", "LayerNormalization",
                    List.of(add1, m.weight(w + "ln_2.weight", h), m.weight(w + "ln_2.bias", h)), integer("axis", -1));
            String fc = m.node(p + "mlp/c_fc/Add", "Add", List.of(m.node(p + "mlp/c_fc/MatMul", "MatMul",
                    List.of(ln2, m.weight(w + "mlp.c_fc.weight", h, 4 * h))), m.weight(w + "mlp.c_fc.bias", 4 * h)));
            String act = m.node(p + "mlp/act/Gelu", "Gelu", List.of(fc));
            String down = m.node(p + "mlp/c_proj/Add", "Add", List.of(m.node(p + "mlp/c_proj/MatMul", "MatMul",
                    List.of(act, m.weight(w + "mlp.c_proj.weight", 4 * h, h))), m.weight(w + "mlp.c_proj.bias", h)));
            x = m.node(p + "Add_1", "Add", List.of(add1, down));
        }
        x = m.node("/transformer/ln_f/LayerNormalization", "LayerNormalization",
                List.of(x, m.weight("transformer.ln_f.weight", h), m.weight("transformer.ln_f.bias", h)), integer("axis", -1));
        String table = m.node("/lm_head/Transpose", "Transpose", List.of(wte), ints("perm", 1, 0));
        return m.output(m.node("/lm_head/MatMul", "MatMul", List.of(x, table))).bytes();
    }

    /**
     * A small CNN as torch.onnx exports it: Conv 3->8 (3x3, pad 1), Relu, MaxPool 2, Conv 8->16 (3x3, pad 1),
     * Relu, GlobalAveragePool, Flatten, Gemm 16->10. With {@code external} the conv weights live in
     * {@code weights.bin} (offsets 0 and 864).
     */
    static byte[] cnn(long batch, boolean external) {
        OnnxModels m = new OnnxModels().input("input", TensorProto.DataType.FLOAT, batch, 3, 32, 32);
        String w1 = external ? m.externalWeight("conv1.weight", "weights.bin", 0, 8, 3, 3, 3) : m.weight("conv1.weight", 8, 3, 3, 3);
        String w2 = external ? m.externalWeight("conv2.weight", "weights.bin", 864, 16, 8, 3, 3) : m.weight("conv2.weight", 16, 8, 3, 3);
        String x = m.node("/conv1/Conv", "Conv", List.of("input", w1, m.weight("conv1.bias", 8)),
                ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1), ints("strides", 1, 1));
        x = m.node("/pool/MaxPool", "MaxPool", List.of(m.node("/relu/Relu", "Relu", List.of(x))), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        x = m.node("/conv2/Conv", "Conv", List.of(x, w2, m.weight("conv2.bias", 16)), ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1));
        x = m.node("/avgpool/GlobalAveragePool", "GlobalAveragePool", List.of(m.node("/relu_1/Relu", "Relu", List.of(x))));
        x = m.node("/Flatten", "Flatten", List.of(x), integer("axis", 1));
        x = m.node("/fc/Gemm", "Gemm", List.of(x, m.weight("fc.weight", 10, 16), m.weight("fc.bias", 10)), integer("transB", 1));
        return m.output(x).bytes();
    }
}
