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
                out.writeInt(t.rank());
                for (long d : t.shape()) {
                    out.writeLong(d);
                }
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
                long[] shape = new long[in.readInt()];
                long length = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                    length = Math.multiplyExact(length, shape[d]);
                }
                byte[] raw = new byte[Math.toIntExact(length * width(type))];
                in.readFully(raw);
                tensors.put(name, array(type, shape, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN)));
            }
            return Message.of(key, tensors);
        } catch (IOException e) {
            throw new IllegalStateException("malformed message on the wire: " + e.getMessage(), e);
        }
    }

    private static byte[] values(INDArray t) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.length() * width(t.dataType()))).order(ByteOrder.LITTLE_ENDIAN);
        INDArray c = t.isView() || t.ordering() != 'c' ? t.dup('c') : t;
        if (t.dataType() == DataType.FLOAT) {
            b.asFloatBuffer().put(c.data().asFloat(), 0, Math.toIntExact(t.length()));
        } else {
            b.asDoubleBuffer().put(c.data().asDouble(), 0, Math.toIntExact(t.length()));
        }
        return b.array();
    }

    private static INDArray array(DataType type, long[] shape, ByteBuffer b) {
        int n = b.remaining() / width(type);
        if (type == DataType.FLOAT) {
            float[] v = new float[n];
            b.asFloatBuffer().get(v);
            return Nd4j.create(v, shape, 'c');
        }
        double[] v = new double[n];
        b.asDoubleBuffer().get(v);
        return Nd4j.create(v, shape, 'c');
    }

    private static int width(DataType type) {
        return switch (type) {
            case FLOAT -> Float.BYTES;
            case DOUBLE -> Double.BYTES;
            default -> throw new IllegalArgumentException("only float and double tensors travel between processes, got " + type);
        };
    }
}
