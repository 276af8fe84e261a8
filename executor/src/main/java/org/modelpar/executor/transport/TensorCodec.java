package org.modelpar.executor.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The wire format of a {@link Message}: the key's three strings, the tensor count, then per tensor (in
 * name order) its name, dtype, shape and its values in 'c' order, little-endian, bit-exact. Only float and
 * double tensors travel (activations and gradients).
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    public static byte[] encode(Message m) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(m.key().from());
            out.writeUTF(m.key().to());
            out.writeUTF(m.key().tag());
            out.writeInt(m.tensors().size());
            for (Map.Entry<String, INDArray> e : new TreeMap<>(m.tensors()).entrySet()) {
                INDArray t = e.getValue();
                out.writeUTF(e.getKey());
                out.writeUTF(t.dataType().name());
                writeShape(out, t.shape());
                out.write(values(t));
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Message decode(byte[] bytes) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            Message.Key key = new Message.Key(in.readUTF(), in.readUTF(), in.readUTF());
            int n = in.readInt();
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                DataType type = DataType.valueOf(in.readUTF());
                long[] shape = readShape(in);
                byte[] raw = new byte[Math.toIntExact(Math.multiplyExact(length(shape), width(type)))];
                in.readFully(raw);
                tensors.put(name, array(type, shape, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN)));
            }
            return Message.of(key, tensors);
        } catch (IOException e) {
            throw new IllegalStateException("malformed message on the wire: " + e.getMessage(), e);
        }
    }

    /** Writes a shape: its rank, then each dimension (checkpoints use the same layout). */
    public static void writeShape(DataOutputStream out, long[] shape) throws IOException {
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
    }

    /** Reads a shape written by {@link #writeShape}, refusing negative dimensions. */
    public static long[] readShape(DataInputStream in) throws IOException {
        long[] shape = new long[in.readInt()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = in.readLong();
            if (shape[d] < 0) {
                throw new IOException("negative dimension " + shape[d]);
            }
        }
        return shape;
    }

    /** Elements of a shape; fails on overflow. */
    public static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static byte[] values(INDArray t) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.length() * width(t.dataType()))).order(ByteOrder.LITTLE_ENDIAN);
        INDArray c = t.isView() || t.ordering() != 'c' ? t.dup('c') : t;
        if (halfWidth(t.dataType())) {
            b.asFloatBuffer().put(c.castTo(DataType.FLOAT).data().asFloat(), 0, Math.toIntExact(t.length()));
        } else if (t.dataType() == DataType.FLOAT) {
            b.asFloatBuffer().put(c.data().asFloat(), 0, Math.toIntExact(t.length()));
        } else {
            b.asDoubleBuffer().put(c.data().asDouble(), 0, Math.toIntExact(t.length()));
        }
        return b.array();
    }

    private static INDArray array(DataType type, long[] shape, ByteBuffer b) {
        int n = b.remaining() / width(type);
        if (type == DataType.FLOAT || halfWidth(type)) {
            float[] v = new float[n];
            b.asFloatBuffer().get(v);
            INDArray a = Nd4j.create(v, shape, 'c');
            return type == DataType.FLOAT ? a : a.castTo(type);
        }
        double[] v = new double[n];
        b.asDoubleBuffer().get(v);
        return Nd4j.create(v, shape, 'c');
    }

    /** 16-bit values travel as fp32 (exact both ways): twice their bytes, no bit handling of their formats. */
    private static boolean halfWidth(DataType type) {
        return type == DataType.BFLOAT16 || type == DataType.HALF;
    }

    private static int width(DataType type) {
        return switch (type) {
            case FLOAT, BFLOAT16, HALF -> Float.BYTES;
            case DOUBLE -> Double.BYTES;
            default -> throw new IllegalArgumentException("only float, double, bf16 and fp16 tensors travel between processes, got " + type);
        };
    }
}
