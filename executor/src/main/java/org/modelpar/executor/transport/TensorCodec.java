package org.modelpar.executor.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.simulator.plan.PlanJson;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The wire format of a {@link Message}: the key's three strings, the tensor count, per tensor (in name
 * order) its name, dtype and shape, then the tensors' values in the same order, each in 'c' order,
 * little-endian, bit-exact. Only float and double tensors travel (activations and gradients; 16-bit ones as fp32).
 */
public final class TensorCodec {
    /** The most dimensions a shape read back may have (ND4J's own limit). */
    static final int MAX_RANK = 32;
    /** The fewest bytes a tensor's header takes: an empty name and dtype and a rank. */
    private static final int TENSOR_HEADER_BYTES = 2 + 2 + 4;

    private TensorCodec() {
    }

    /** The message's bytes. */
    public static byte[] encode(Message m) {
        return encode(m, new byte[0]).array();
    }

    /**
     * Encodes {@code m} into {@code reuse} when it is large enough, else into a new array of the exact size:
     * a small header written through a {@link DataOutputStream}, then each tensor's values copied once, in
     * bulk, from its native buffer. Returns the array wrapped, its limit the encoded length.
     */
    public static ByteBuffer encode(Message m, byte[] reuse) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Map<String, INDArray> sorted = new TreeMap<>(m.tensors());
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(header);
            out.writeUTF(m.key().from());
            out.writeUTF(m.key().to());
            out.writeUTF(m.key().tag());
            out.writeInt(sorted.size());
            long valueBytes = 0;
            for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
                INDArray t = e.getValue();
                out.writeUTF(e.getKey());
                out.writeUTF(t.dataType().name());
                writeShape(out, t.shape());
                valueBytes += t.length() * width(t.dataType());
            }
            out.flush();
            int length = Math.toIntExact(header.size() + valueBytes);
            ByteBuffer bytes = ByteBuffer.wrap(reuse.length >= length ? reuse : new byte[length], 0, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
            bytes.put(header.toByteArray());
            // an empty tensor has no values (nor a native buffer to copy them from)
            sorted.values().stream().filter(t -> t.length() > 0).forEach(t -> putValues(t, bytes));
            return bytes.flip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Message decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes), (type, shape) -> Nd4j.createUninitialized(type, shape, 'c'));
    }

    /** Where decoded tensors go: an array of this type and shape, 'c' order, contents undefined. */
    @FunctionalInterface
    interface ArraySource {
        INDArray take(DataType type, long[] shape);
    }

    /**
     * Reads a message from {@code bytes}' remaining bytes; each tensor's values are copied once, into an array
     * from {@code arrays} (16-bit tensors: into a new one, cast from fp32).
     */
    static Message decode(ByteBuffer bytes, ArraySource arrays) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
             DataInputStream in = new DataInputStream(new ByteBufferInput(bytes))) {
            Message.Key key = new Message.Key(in.readUTF(), in.readUTF(), in.readUTF());
            int n = in.readInt();
            if (n < 0 || n > bytes.remaining() / TENSOR_HEADER_BYTES) {
                throw new IOException("tensor count " + n + " outside [0, " + bytes.remaining() / TENSOR_HEADER_BYTES
                        + "] for the " + bytes.remaining() + " bytes left");
            }
            String[] names = new String[n];
            DataType[] types = new DataType[n];
            long[][] shapes = new long[n][];
            for (int i = 0; i < n; i++) {
                names[i] = in.readUTF();
                types[i] = DataType.valueOf(in.readUTF());
                shapes[i] = readShape(in);
            }
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                int size = Math.toIntExact(Math.multiplyExact(length(shapes[i]), width(types[i])));
                if (bytes.remaining() < size) {
                    throw new IOException("tensor " + names[i] + " needs " + size + " bytes, " + bytes.remaining() + " left");
                }
                ByteBuffer values = bytes.slice().limit(size).order(ByteOrder.LITTLE_ENDIAN);
                bytes.position(bytes.position() + size);
                tensors.put(names[i], array(types[i], shapes[i], values, arrays));
            }
            return Message.of(key, tensors);
        } catch (EOFException e) {
            throw new IllegalStateException("malformed message on the wire: it ends early", e);
        } catch (IOException | IllegalArgumentException | ArithmeticException e) {
            // names and keys the bytes gave may hold line breaks
            throw new IllegalStateException(PlanJson.oneLine("malformed message on the wire: " + e.getMessage()), e);
        }
    }

    /** Writes a shape: its rank, then each dimension (checkpoints use the same layout). */
    public static void writeShape(DataOutputStream out, long[] shape) throws IOException {
        out.writeInt(shape.length);
        for (long d : shape) {
            out.writeLong(d);
        }
    }

    /** Reads a shape written by {@link #writeShape}, refusing a rank outside [0, {@value #MAX_RANK}] and negative dimensions. */
    public static long[] readShape(DataInputStream in) throws IOException {
        int rank = in.readInt();
        if (rank < 0 || rank > MAX_RANK) {
            throw new IOException("rank " + rank + " outside [0, " + MAX_RANK + "]");
        }
        long[] shape = new long[rank];
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

    /**
     * Copies {@code t}'s values, 'c' order, 16-bit types as fp32, into {@code out} at its position. An array whose values
     * lie in 'c' order in one run of its buffer (a whole array, or a view of consecutive rows or elements: a ring
     * collective's chunk) is copied straight from that run; any other is first copied into a compact array.
     */
    private static void putValues(INDArray t, ByteBuffer out) {
        INDArray c = halfWidth(t.dataType()) ? t.castTo(DataType.FLOAT) : compactC(t) ? t : t.dup('c');
        ByteBuffer values = nativeBytes(c).position(Math.toIntExact(c.offset() * width(c.dataType()))).slice()
                .order(ByteOrder.nativeOrder());
        int n = Math.toIntExact(c.length());
        if (c.dataType() == DataType.FLOAT) {
            out.asFloatBuffer().put(values.asFloatBuffer().limit(n));
        } else {
            out.asDoubleBuffer().put(values.asDoubleBuffer().limit(n));
        }
        out.position(out.position() + n * width(c.dataType()));
    }

    private static INDArray array(DataType type, long[] shape, ByteBuffer values, ArraySource arrays) {
        if (length(shape) == 0) {
            return Nd4j.create(type, shape);
        }
        DataType stored = halfWidth(type) ? DataType.FLOAT : type;
        INDArray a = stored == type ? arrays.take(type, shape) : Nd4j.createUninitialized(stored, shape, 'c');
        if (stored == DataType.FLOAT) {
            nativeBytes(a).asFloatBuffer().put(values.asFloatBuffer());
        } else {
            nativeBytes(a).asDoubleBuffer().put(values.asDoubleBuffer());
        }
        return stored == type ? a : a.castTo(type);
    }

    /** Whether {@code a}'s values are its buffer's elements from its offset on, in 'c' order (strides of a compact 'c' array). */
    static boolean compactC(INDArray a) {
        long[] shape = a.shape();
        long[] stride = a.stride();
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The array's buffer in native memory, from the buffer's start ({@code a}'s values begin at its offset). */
    private static ByteBuffer nativeBytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
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

    /** {@code bytes}' remaining bytes as a stream; the stream advances the buffer. */
    private static final class ByteBufferInput extends java.io.InputStream {
        private final ByteBuffer bytes;

        ByteBufferInput(ByteBuffer bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return bytes.hasRemaining() ? bytes.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!bytes.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, bytes.remaining());
            bytes.get(b, off, n);
            return n;
        }
    }
}
