package org.modelpar.executor.transport;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts an encoded message into frames of at most {@link #CHUNK_BYTES} payload bytes (gRPC's default
 * limit on one inbound message is 4 MiB, and small frames let HTTP/2 flow control pace the sender), and
 * joins them again. A frame is {@code [int total][int offset][bytes]} on the wire, so frames of one stream
 * need no other state than the message being assembled. Nothing is copied on the heap that need not be: a
 * frame is a view of the encoded message, written by gRPC straight into its transport buffer, and an
 * incoming frame is read into a buffer of the reading thread that the next frame reuses (a message of one
 * frame is decoded there, before the thread reads another).
 */
final class Frames {
    static final int CHUNK_BYTES = 1 << 20;
    private static final int HEADER_BYTES = 2 * Integer.BYTES;
    /** gRPC's (de)serializer of frames. */
    static final MethodDescriptor.Marshaller<Frame> MARSHALLER = new FrameMarshaller();
    private byte[] assembling;

    /**
     * Bytes {@code [from, from + length)} of {@code data}: the part of a {@code total}-byte message at {@code at}.
     */
    record Frame(int total, int at, byte[] data, int from, int length) {
    }

    /** The frames of the message in {@code message[0, length)}: views of the array. */
    static List<Frame> split(byte[] message, int length) {
        List<Frame> out = new ArrayList<>();
        int offset = 0;
        do {
            int n = Math.min(CHUNK_BYTES, length - offset);
            out.add(new Frame(length, offset, message, offset, n));
            offset += n;
        } while (offset < length);
        return out;
    }

    /** Adds a frame; returns the whole message once its last frame has arrived (valid until the next frame is read). */
    Optional<ByteBuffer> add(Frame f) {
        if (f.at() == 0 && f.length() == f.total()) {
            return Optional.of(ByteBuffer.wrap(f.data(), f.from(), f.length()).slice());
        }
        if (f.at() == 0) {
            assembling = new byte[f.total()];
        } else if (assembling == null || assembling.length != f.total()) {
            throw new IllegalStateException("frame at offset " + f.at() + " of a " + f.total() + "-byte message without its start");
        }
        System.arraycopy(f.data(), f.from(), assembling, f.at(), f.length());
        if (f.at() + f.length() < f.total()) {
            return Optional.empty();
        }
        byte[] done = assembling;
        assembling = null;
        return Optional.of(ByteBuffer.wrap(done));
    }

    private static final class FrameMarshaller implements MethodDescriptor.Marshaller<Frame> {
        private final ThreadLocal<byte[]> incoming = ThreadLocal.withInitial(() -> new byte[0]);

        @Override
        public InputStream stream(Frame f) {
            return new Outgoing(f);
        }

        @Override
        public Frame parse(InputStream stream) {
            try {
                ByteBuffer header = ByteBuffer.wrap(stream.readNBytes(HEADER_BYTES));
                int total = header.getInt();
                int at = header.getInt();
                int n = stream.available();
                byte[] buffer = incoming.get();
                if (buffer.length < n) {
                    buffer = new byte[n];
                    incoming.set(buffer);
                }
                if (stream.readNBytes(buffer, 0, n) != n) {
                    throw new IOException("a frame of " + n + " bytes ended early");
                }
                return new Frame(total, at, buffer, 0, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A frame as gRPC's message stream: its length known, drained in one pass. */
    private static final class Outgoing extends InputStream implements Drainable, KnownLength {
        private final Frame f;
        private boolean drained;

        Outgoing(Frame f) {
            this.f = f;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            target.write(ByteBuffer.allocate(HEADER_BYTES).putInt(f.total()).putInt(f.at()).array());
            target.write(f.data(), f.from(), f.length());
            drained = true;
            return HEADER_BYTES + f.length();
        }

        @Override
        public int available() {
            return drained ? 0 : HEADER_BYTES + f.length();
        }

        @Override
        public int read() throws IOException {
            throw new IOException("a frame is drained, not read");
        }
    }
}
