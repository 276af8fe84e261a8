package org.modelpar.executor.transport;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cuts an encoded message into frames of at most {@link #CHUNK_BYTES} payload bytes (gRPC's default
 * limit on one inbound message is 4 MiB, and small frames let HTTP/2 flow control pace the sender), and
 * joins them again. A frame is {@code [int total][int offset][bytes]}, so frames of one stream need no
 * other state than the message being assembled. A message of one frame is read where it lies, not copied.
 */
final class Frames {
    static final int CHUNK_BYTES = 1 << 20;
    private static final int HEADER_BYTES = 2 * Integer.BYTES;
    private byte[] assembling;

    static List<byte[]> split(byte[] message) {
        List<byte[]> out = new ArrayList<>();
        int offset = 0;
        do {
            int n = Math.min(CHUNK_BYTES, message.length - offset);
            out.add(ByteBuffer.allocate(HEADER_BYTES + n).putInt(message.length).putInt(offset)
                    .put(message, offset, n).array());
            offset += n;
        } while (offset < message.length);
        return out;
    }

    /** Adds a frame; returns the whole message once its last frame has arrived. */
    Optional<ByteBuffer> add(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int total = b.getInt();
        int offset = b.getInt();
        if (offset == 0 && b.remaining() == total) {
            return Optional.of(b.slice());
        }
        if (offset == 0) {
            assembling = new byte[total];
        } else if (assembling == null || assembling.length != total) {
            throw new IllegalStateException("frame at offset " + offset + " of a " + total + "-byte message without its start");
        }
        int n = b.remaining();
        b.get(assembling, offset, n);
        if (offset + n < total) {
            return Optional.empty();
        }
        byte[] done = assembling;
        assembling = null;
        return Optional.of(ByteBuffer.wrap(done));
    }
}
