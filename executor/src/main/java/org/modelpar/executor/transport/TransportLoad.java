package org.modelpar.executor.transport;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What a process's transport did between two readings (a step): the bytes of the messages it moved between processes,
 * sent and received (as encoded: {@link TensorCodec}), and the CPU time its event loop spent meanwhile ({@link
 * EventLoop}: the HTTP/2 frames, the sockets, decoding what arrives). Between worker processes of one host that CPU
 * time comes out of the cores the workers compute on, while the messages travel: on the small mlp's two data-parallel
 * processes of the 2-core machine, whose gradient reduce-scatter overlaps the backward, each event loop spent about 2
 * ms a 14 ms step, and the backwards ran 3.3 ms where their compute threads had 2.1 ms of CPU. The in-process
 * transport has no event loop and moves nothing this way ({@link #NONE}).
 *
 * @param cpuSeconds the event loop's CPU time
 * @param bytes      the bytes moved: sent plus received
 */
public record TransportLoad(double cpuSeconds, long bytes) {
    /** Nothing moved. */
    public static final TransportLoad NONE = new TransportLoad(0, 0);

    public TransportLoad {
        if (!(cpuSeconds >= 0) || bytes < 0) {
            throw new IllegalArgumentException("a transport's load needs CPU seconds >= 0 and bytes >= 0, got "
                    + cpuSeconds + " s and " + bytes + " bytes");
        }
    }

    /** Both loads together (two processes' in one step). */
    public TransportLoad plus(TransportLoad other) {
        return new TransportLoad(cpuSeconds + other.cpuSeconds, bytes + other.bytes);
    }

    /**
     * What the transport did since {@code earlier}, a reading of the same transport's running totals; a count that went
     * back (a thread's CPU time is read apart from the others') counts as none.
     */
    public TransportLoad since(TransportLoad earlier) {
        return new TransportLoad(Math.max(0, cpuSeconds - earlier.cpuSeconds), Math.max(0, bytes - earlier.bytes));
    }

    /** Writes the load, as {@link #read} reads it. */
    public void write(DataOutput out) throws IOException {
        out.writeDouble(cpuSeconds);
        out.writeLong(bytes);
    }

    /**
     * Reads what {@link #write} wrote.
     *
     * @throws IllegalArgumentException when the numbers are invalid
     */
    public static TransportLoad read(DataInput in) throws IOException {
        return new TransportLoad(in.readDouble(), in.readLong());
    }
}
