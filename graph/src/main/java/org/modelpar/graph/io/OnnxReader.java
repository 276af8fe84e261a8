package org.modelpar.graph.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modelpar.graph.io.onnx.OnnxProto.GraphProto;
import org.modelpar.graph.io.onnx.OnnxProto.ModelProto;
import org.modelpar.graph.io.onnx.OnnxProto.NodeProto;
import org.modelpar.graph.io.onnx.OnnxProto.StringStringEntryProto;
import org.modelpar.graph.io.onnx.OnnxProto.TensorProto;
import org.modelpar.graph.io.onnx.OnnxProto.TensorShapeProto;
import org.modelpar.graph.io.onnx.OnnxProto.ValueInfoProto;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Reads an ONNX {@code ModelProto} (classes generated from {@code onnx_subset.proto}): one op per node
 * (kind = the op type in lower case), parameters from the initializers a node reads (each counted once, by
 * its first reader; external-data initializers by their dims), shapes from {@code value_info} or
 * propagated ({@link OnnxShapes}), FLOPs of MatMul, Gemm and Conv, activation bytes of every output at fp32,
 * one tensor per value a node reads from another. Sizes are per sample: the leading dimension of the first
 * graph input is the batch (a symbolic one counts 1); other symbolic dimensions take the sequence length.
 * Layer tags come from node names: {@code /model/layers.3/self_attn/q_proj/MatMul} is {@code block3}.
 */
final class OnnxReader {
    private static final Pattern LAYER = Pattern.compile("(?:^|[/.])(?:layers|layer|h|blocks|block)[./](\\d+)(?=[/.]|$)");
    private static final Set<String> NOT_A_LAYER = Set.of("", "model", "transformer");
    private final String label;
    private final ImportOptions options;
    private final Path dir;
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, long[]> constants = new HashMap<>();
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final List<OpNode> ops = new ArrayList<>();
    private final List<TensorEdge> tensors = new ArrayList<>();
    /** The op that produces each value. */
    private final Map<String, String> producer = new HashMap<>();
    /** Initializers already counted as some op's parameters. */
    private final Set<String> claimed = new HashSet<>();
    private long batch = 1;

    OnnxReader(String label, ImportOptions options, Path dir) {
        this.label = label;
        this.options = options;
        this.dir = dir;
    }

    ComputationGraph read(byte[] bytes, String defaultName) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new GraphException(label + ": not an ONNX model: " + e.getMessage());
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new GraphException(label + ": graph: missing or without nodes (not an ONNX model?)");
        }
        GraphProto g = model.getGraph();
        if (g.getNodeCount() > options.maxOps()) {
            throw new GraphException(label + ": " + g.getNodeCount() + " nodes, above the limit of " + options.maxOps() + " ops");
        }
        g.getInitializerList().forEach(this::initializer);
        List<ValueInfoProto> declared = new ArrayList<>(g.getInputList());
        declared.addAll(g.getValueInfoList());
        declared.addAll(g.getOutputList());
        boolean first = true;
        for (ValueInfoProto v : g.getInputList()) {
            if (!initializers.containsKey(v.getName()) && first) {
                TensorShapeProto.Dimension lead = v.getType().getTensorType().getShape().getDimCount() > 0
                        ? v.getType().getTensorType().getShape().getDim(0) : TensorShapeProto.Dimension.getDefaultInstance();
                batch = lead.hasDimValue() && lead.getDimValue() > 0 ? lead.getDimValue() : 1;
                first = false;
            }
        }
        declared.forEach(this::declare);
        return build(g, defaultName);
    }

    private void initializer(TensorProto t) {
        String name = t.getName();
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            external(t);
        }
        initializers.put(name, t);
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        shapes.put(name, dims);
        integers(t).ifPresent(v -> constants.put(name, v));
    }

    /** Checks an external-data initializer's file: present, and long enough for its offset and length. */
    private void external(TensorProto t) {
        Map<String, String> keys = new HashMap<>();
        for (StringStringEntryProto e : t.getExternalDataList()) {
            keys.put(e.getKey(), e.getValue());
        }
        String location = keys.get("location");
        if (location == null) {
            throw new GraphException(label + ": initializer '" + t.getName() + "': external_data has no location");
        }
        Path file = dir.resolve(location).normalize();
        try {
            long size = Files.size(file);
            long end = Long.parseLong(keys.getOrDefault("offset", "0")) + Long.parseLong(keys.getOrDefault("length", "0"));
            if (end > size) {
                throw new GraphException(label + ": initializer '" + t.getName() + "': external data ends at byte " + end
                        + ", past the end of " + location + " (" + size + " bytes)");
            }
        } catch (java.io.IOException e) {
            throw new GraphException(label + ": initializer '" + t.getName() + "': external data file " + location + " not found");
        } catch (NumberFormatException e) {
            throw new GraphException(label + ": initializer '" + t.getName() + "': external_data offset/length must be integers");
        }
    }

    /** The values of a small inline integer tensor (reshape targets, split sizes). */
    private static java.util.Optional<long[]> integers(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.INT64.getNumber() || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return java.util.Optional.empty();
        }
        if (t.getInt64DataCount() > 0) {
            return java.util.Optional.of(t.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] v = new long[raw.remaining() / 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = raw.getLong();
        }
        return java.util.Optional.of(v);
    }

    private void declare(ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return;
        }
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            if (d.hasDimValue()) {
                shape[i] = d.getDimValue();
            } else if (i == 0) {
                shape[i] = 1;
            } else if (options.sequenceLength().isPresent()) {
                shape[i] = options.sequenceLength().getAsInt();
            } else {
                throw new GraphException(label + ": value '" + v.getName() + "': dimension " + i + " is symbolic ('"
                        + d.getDimParam() + "'); give --seq-len or export with a fixed shape");
            }
        }
        shapes.put(v.getName(), shape);
    }

    private ComputationGraph build(GraphProto g, String name) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto p = g.getNode(i);
            String id = p.getName().isBlank() ? p.getOpType() + "_" + i : p.getName();
            if (!ids.add(id)) {
                throw new GraphException(label + ": node[" + i + "]: duplicate node name '" + id + "'");
            }
            OnnxNode node = new OnnxNode(label, id, p, shapes, constants);
            if (!OnnxShapes.SUPPORTED.contains(p.getOpType())) {
                throw node.error("op type " + p.getOpType() + " is not supported (supported: " + String.join(", ", OnnxShapes.SUPPORTED) + ")");
            }
            if (p.getOutputCount() == 0) {
                throw node.error("the node has no outputs");
            }
            try {
                ops.add(op(id, p, node));
            } catch (ArithmeticException | IndexOutOfBoundsException | NegativeArraySizeException e) {
                throw node.error("malformed shapes or attributes (" + e.getClass().getSimpleName() + ")");
            } catch (GraphException e) {
                throw e.getMessage().startsWith(label) ? e : node.error(e.getMessage());
            }
        }
        if (tensors.size() > options.maxTensors()) {
            throw new GraphException(label + ": " + tensors.size() + " tensors, above the limit of " + options.maxTensors());
        }
        try {
            return ComputationGraph.of(name, 1, ops, tensors);
        } catch (GraphException e) {
            throw new GraphException(label + ": " + e.getMessage(), e);
        }
    }

    /** The op of one node; records its output shapes and the tensors it reads. */
    private OpNode op(String id, NodeProto p, OnnxNode node) {
        OnnxShapes rules = new OnnxShapes(node);
        List<long[]> outputs = rules.outputs();
        long activation = 0;
        for (int o = 0; o < p.getOutputCount() && o < outputs.size(); o++) {
            shapes.putIfAbsent(p.getOutput(o), outputs.get(o));
            activation += OnnxShapes.numel(shapes.get(p.getOutput(o)));
            producer.put(p.getOutput(o), id);
        }
        if (p.getOpType().equals("Constant")) {
            integers(node.constantTensor()).ifPresent(v -> constants.put(p.getOutput(0), v));
        }
        long parameters = 0;
        Set<String> from = new HashSet<>();
        for (String in : p.getInputList()) {
            if (initializers.containsKey(in) && claimed.add(in)) {
                parameters += OnnxShapes.numel(shapes.get(in));
            } else if (producer.containsKey(in) && !producer.get(in).equals(id) && from.add(in)) {
                tensors.add(new TensorEdge(in + "->" + id, producer.get(in), id, 4 * perSample(OnnxShapes.numel(shapes.get(in)))));
            }
        }
        double flops = rules.forwardFlops(outputs) / batch;
        return new OpNode(id, id, p.getOpType().toLowerCase(java.util.Locale.ROOT), layer(id), flops, 2 * flops,
                4 * parameters, 4 * perSample(activation), 0, Map.of(), Map.of("opType", p.getOpType()));
    }

    private long perSample(long values) {
        return (values + batch - 1) / batch;
    }

    /** {@code block<N>} for a node inside layer N, else the first path segment of its name. */
    static String layer(String nodeName) {
        Matcher m = LAYER.matcher(nodeName);
        if (m.find()) {
            return "block" + m.group(1);
        }
        for (String segment : nodeName.split("/")) {
            if (!NOT_A_LAYER.contains(segment) && !segment.equals(nodeName)) {
                return segment;
            }
        }
        return "";
    }
}
