package org.modelpar.graph.io;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.io.onnx.OnnxProto.AttributeProto;
import org.modelpar.graph.io.onnx.OnnxProto.NodeProto;
import org.modelpar.graph.io.onnx.OnnxProto.TensorProto;
import org.modelpar.graph.GraphException;

/** One ONNX node with the shapes of its inputs and the values of its constant inputs; errors name the node. */
final class OnnxNode {
    private final String label;
    private final String id;
    private final NodeProto node;
    private final Map<String, long[]> shapes;
    private final Map<String, long[]> constants;

    OnnxNode(String label, String id, NodeProto node, Map<String, long[]> shapes, Map<String, long[]> constants) {
        this.label = label;
        this.id = id;
        this.node = node;
        this.shapes = shapes;
        this.constants = constants;
    }

    String opType() {
        return node.getOpType();
    }

    int inputCount() {
        return (int) node.getInputList().stream().filter(s -> !s.isEmpty()).count();
    }

    int outputCount() {
        return node.getOutputCount();
    }

    /** The shape of input {@code i}. */
    long[] input(int i) {
        if (i >= node.getInputCount() || node.getInput(i).isEmpty()) {
            throw error("input " + i + " is missing");
        }
        long[] s = shapes.get(node.getInput(i));
        if (s == null) {
            throw error("input '" + node.getInput(i) + "' has no known shape (give it a value_info)");
        }
        return s;
    }

    /** The integer values of constant input {@code i} (an initializer or a Constant node's output). */
    long[] constant(int i) {
        input(i);
        long[] v = constants.get(node.getInput(i));
        if (v == null) {
            throw error("input '" + node.getInput(i) + "' must be a constant integer tensor");
        }
        return v;
    }

    private Optional<AttributeProto> attr(String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    long intAttr(String name, long fallback) {
        return attr(name).map(AttributeProto::getI).orElse(fallback);
    }

    long[] intsAttr(String name, long[] fallback) {
        return attr(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(fallback);
    }

    long[] intsAttr(String name) {
        return attr(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray())
                .orElseThrow(() -> error("attribute " + name + " is missing"));
    }

    String stringAttr(String name, String fallback) {
        return attr(name).map(a -> a.getS().toStringUtf8()).orElse(fallback);
    }

    /** A Constant node's tensor. */
    TensorProto constantTensor() {
        return attr("value").filter(AttributeProto::hasT).map(AttributeProto::getT)
                .orElseThrow(() -> error("attribute value (a tensor) is missing"));
    }

    long[] constantShape() {
        return constantTensor().getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    List<String> outputs() {
        return node.getOutputList();
    }

    GraphException error(String problem) {
        return new GraphException(label + ": node '" + id + "' (" + opType() + "): " + problem);
    }

    @Override
    public String toString() {
        return id + " " + opType() + " " + Arrays.toString(node.getInputList().toArray());
    }
}
