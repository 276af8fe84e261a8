package org.modelpar.graph.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Output shapes and forward FLOPs of the ONNX operators modelpar reads (ONNX operator specification,
 * github.com/onnx/onnx/blob/main/docs/Operators.md). FLOPs count the multiply-adds of MatMul, Gemm and Conv
 * (2 each); every other operator is elementwise or data movement and carries 0 FLOPs, as in the zoo.
 */
final class OnnxShapes {
    /** The operators whose output shapes and FLOPs are known. */
    static final Set<String> SUPPORTED = new TreeSet<>(List.of("Add", "AveragePool", "BatchNormalization", "Cast", "Concat",
            "Constant", "Conv", "Div", "Dropout", "Erf", "Exp", "Flatten", "Gather", "Gelu", "Gemm", "GlobalAveragePool",
            "Identity", "LayerNormalization", "MatMul", "MaxPool", "Mul", "Neg", "Pow", "ReduceMean", "Relu", "Reshape",
            "Sigmoid", "Softmax", "Split", "Sqrt", "Sub", "Tanh", "Transpose"));
    private static final Set<String> SAME_SHAPE = Set.of("BatchNormalization", "Cast", "Dropout", "Erf", "Exp", "Gelu",
            "Identity", "LayerNormalization", "Neg", "Relu", "Sigmoid", "Softmax", "Sqrt", "Tanh");
    private static final Set<String> BROADCAST = Set.of("Add", "Div", "Mul", "Pow", "Sub");

    private final OnnxNode n;

    OnnxShapes(OnnxNode node) {
        this.n = node;
    }

    /** The shapes of the node's outputs. */
    List<long[]> outputs() {
        String op = n.opType();
        if (SAME_SHAPE.contains(op)) {
            return List.of(n.input(0));
        }
        if (BROADCAST.contains(op)) {
            return List.of(broadcast(n.input(0), n.input(1)));
        }
        return switch (op) {
            case "MatMul" -> List.of(matMul(n.input(0), n.input(1)));
            case "Gemm" -> List.of(new long[] {n.input(0)[n.intAttr("transA", 0) == 1 ? 1 : 0], n.input(1)[n.intAttr("transB", 0) == 1 ? 0 : 1]});
            case "Conv" -> List.of(window(n.input(0), n.input(1)[0], Arrays.copyOfRange(n.input(1), 2, n.input(1).length)));
            case "MaxPool", "AveragePool" -> List.of(window(n.input(0), n.input(0)[1], n.intsAttr("kernel_shape")));
            case "GlobalAveragePool" -> {
                long[] out = n.input(0).clone();
                Arrays.fill(out, 2, out.length, 1);
                yield List.of(out);
            }
            case "Flatten" -> {
                long[] in = n.input(0);
                int axis = axis(n.intAttr("axis", 1), in.length + 1);
                yield List.of(new long[] {product(in, 0, axis), product(in, axis, in.length)});
            }
            case "Reshape" -> List.of(reshape(n.input(0), n.constant(1)));
            case "Transpose" -> List.of(transpose(n.input(0)));
            case "Concat" -> List.of(concat());
            case "Split" -> split();
            case "Gather" -> List.of(gather(n.input(0), n.input(1)));
            case "ReduceMean" -> List.of(reduce(n.input(0)));
            case "Constant" -> List.of(n.constantShape());
            default -> throw n.error("op type " + op + " is not supported (supported: " + String.join(", ", SUPPORTED) + ")");
        };
    }

    /** Forward FLOPs: 2 per multiply-add of MatMul, Gemm and Conv. */
    double forwardFlops(List<long[]> outputs) {
        long out = numel(outputs.get(0));
        return switch (n.opType()) {
            case "MatMul" -> 2.0 * out * n.input(0)[n.input(0).length - 1];
            case "Gemm" -> 2.0 * out * n.input(0)[n.intAttr("transA", 0) == 1 ? 0 : 1];
            case "Conv" -> 2.0 * out * product(n.input(1), 1, n.input(1).length);
            default -> 0;
        };
    }

    static long numel(long[] shape) {
        return product(shape, 0, shape.length);
    }

    private static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p = Math.multiplyExact(p, shape[i]);
        }
        return p;
    }

    private int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw n.error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    private long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (x != y && x != 1 && y != 1) {
                throw n.error("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = Math.max(x, y);
        }
        return out;
    }

    private long[] matMul(long[] a, long[] b) {
        if (a.length < 2 || b.length < 2 || a[a.length - 1] != b[b.length - 2]) {
            throw n.error("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not multiply");
        }
        long[] batch = broadcast(Arrays.copyOf(a, a.length - 2), Arrays.copyOf(b, b.length - 2));
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = a[a.length - 2];
        out[batch.length + 1] = b[b.length - 1];
        return out;
    }

    /** Convolution or pooling output: N, channels, then (in + pads - dilation (k - 1) - 1) / stride + 1 per axis. */
    private long[] window(long[] in, long channels, long[] kernel) {
        int d = kernel.length;
        long[] pads = n.intsAttr("pads", new long[2 * d]);
        long[] strides = n.intsAttr("strides", ones(d));
        long[] dilations = n.intsAttr("dilations", ones(d));
        if (!n.stringAttr("auto_pad", "NOTSET").equals("NOTSET") || in.length != d + 2) {
            throw n.error("only explicit pads over " + d + " spatial axes are supported, got input " + Arrays.toString(in));
        }
        long[] out = new long[d + 2];
        out[0] = in[0];
        out[1] = channels;
        for (int i = 0; i < d; i++) {
            out[i + 2] = (in[i + 2] + pads[i] + pads[i + d] - dilations[i] * (kernel[i] - 1) - 1) / strides[i] + 1;
        }
        return out;
    }

    private static long[] ones(int d) {
        long[] a = new long[d];
        Arrays.fill(a, 1);
        return a;
    }

    private long[] reshape(long[] in, long[] shape) {
        long[] out = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = in[i];
            }
            if (out[i] == -1) {
                infer = i;
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            out[infer] = numel(in) / known;
        }
        if (numel(out) != numel(in)) {
            throw n.error("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(shape));
        }
        return out;
    }

    private long[] transpose(long[] in) {
        long[] perm = n.intsAttr("perm", reversed(in.length));
        long[] out = new long[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[axis(perm[i], in.length)];
        }
        return out;
    }

    private static long[] reversed(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return p;
    }

    private long[] concat() {
        long[] out = n.input(0).clone();
        int axis = axis(n.intAttr("axis", 0), out.length);
        for (int i = 1; i < n.inputCount(); i++) {
            out[axis] += n.input(i)[axis];
        }
        return out;
    }

    private List<long[]> split() {
        long[] in = n.input(0);
        int axis = axis(n.intAttr("axis", 0), in.length);
        int parts = n.outputCount();
        long[] sizes = n.inputCount() > 1 ? n.constant(1) : n.intsAttr("split", new long[0]);
        if (sizes.length == 0) {
            sizes = new long[parts];
            Arrays.fill(sizes, in[axis] / parts);
        }
        List<long[]> out = new ArrayList<>();
        for (long size : sizes) {
            long[] s = in.clone();
            s[axis] = size;
            out.add(s);
        }
        return out;
    }

    private long[] gather(long[] data, long[] indices) {
        int axis = axis(n.intAttr("axis", 0), data.length);
        long[] out = new long[data.length - 1 + indices.length];
        System.arraycopy(data, 0, out, 0, axis);
        System.arraycopy(indices, 0, out, axis, indices.length);
        System.arraycopy(data, axis + 1, out, axis + indices.length, data.length - axis - 1);
        return out;
    }

    private long[] reduce(long[] in) {
        long[] axes = n.inputCount() > 1 ? n.constant(1) : n.intsAttr("axes", reversed(in.length));
        boolean[] reduced = new boolean[in.length];
        for (long a : axes) {
            reduced[axis(a, in.length)] = true;
        }
        boolean keep = n.intAttr("keepdims", 1) == 1;
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < in.length; i++) {
            if (!reduced[i] || keep) {
                out.add(reduced[i] ? 1L : in[i]);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
