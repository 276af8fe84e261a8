package org.modelpar.executor.transport;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * gRPC messages as raw bytes: the transport frames tensors itself ({@link TensorCodec}), so no protobuf
 * schema or code generation is needed. Methods are described here once for servers and clients. Bytes are
 * copied once each way: gRPC writes an outgoing array straight into its transport buffer (the stream is
 * {@link Drainable} and of {@link KnownLength}), and an incoming one is read into an array of its exact size.
 */
public final class ByteMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    private static final ByteMarshaller INSTANCE = new ByteMarshaller();

    private ByteMarshaller() {
    }

    /** The one instance, for method descriptors that take or return bytes on one side only. */
    static ByteMarshaller instance() {
        return INSTANCE;
    }

    @Override
    public InputStream stream(byte[] value) {
        return new Bytes(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
        try {
            if (stream instanceof KnownLength known) {
                byte[] out = new byte[known.available()];
                if (stream.readNBytes(out, 0, out.length) == out.length && stream.read() < 0) {
                    return out;
                }
                throw new IOException("a gRPC message of " + out.length + " bytes did not read as that many");
            }
            return stream.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A method {@code service/name} of the given type taking and returning bytes. */
    public static MethodDescriptor<byte[], byte[]> method(String service, String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
                .setRequestMarshaller(INSTANCE)
                .setResponseMarshaller(INSTANCE)
                .build();
    }

    /** Answers a unary call of a {@link #method} with {@code value}. */
    public static void reply(StreamObserver<byte[]> out, byte[] value) {
        out.onNext(value);
        out.onCompleted();
    }

    /** An array as gRPC's message stream: its length known, drained in one write. */
    private static final class Bytes extends ByteArrayInputStream implements Drainable, KnownLength {
        Bytes(byte[] value) {
            super(value);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
