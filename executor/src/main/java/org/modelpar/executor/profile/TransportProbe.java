package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One-way message times through a real {@link Transport} (the in-process mailboxes of worker threads, or gRPC between
 * worker processes), as the executor's {@code Send} and {@code Recv} pay them: the sender's copy, the hand-off into the
 * peer's mailbox, the wake-up of the waiting receiver and the release of the received buffers. Device {@link #A}
 * ping-pongs a message of each size with an echo thread serving device {@link #B}; a transfer is half the median round
 * trip, with half the round trips' interquartile range as its spread ({@link Timing}: warm-ups, then repetitions).
 */
final class TransportProbe {
    /** The two devices of the probe. */
    static final String A = "probe-a";
    static final String B = "probe-b";
    /** How long a probe message may wait before the probe fails. */
    static final long WAIT_NANOS = 60_000_000_000L;
    private static final Message.Key THERE = new Message.Key(A, B, "probe");
    private static final Message.Key BACK = new Message.Key(B, A, "probe");
    /** The name of the tensor that tells the echo thread to stop. */
    private static final String STOP = "stop";

    private TransportProbe() {
    }

    /**
     * The one-way transfer of each of {@code sizes} between device {@link #A}, served by {@code transport}, and
     * device {@link #B}, served by {@code peer} (the same transport between threads of one process): half the median
     * round trip, with half their interquartile range as its spread.
     */
    static List<ProfileResult.Transfer> oneWay(Transport transport, Transport peer, Timing timing, long[] sizes) {
        List<Timing.Measured> trips = roundTrips(transport, peer, timing, sizes);
        List<ProfileResult.Transfer> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(new ProfileResult.Transfer(sizes[i], trips.get(i).typicalSeconds() / 2, trips.get(i).interquartileSeconds() / 2));
        }
        return out;
    }

    /** The round trips of a message of each of {@code sizes} between {@link #A} and {@link #B} (as {@link #oneWay}). */
    static List<Timing.Measured> roundTrips(Transport transport, Transport peer, Timing timing, long[] sizes) {
        Waits waits = Waits.timeout(WAIT_NANOS);
        Thread echo = new Thread(() -> echo(peer, waits), "modelpar-profile-echo");
        echo.setDaemon(true);
        echo.start();
        List<Timing.Measured> out = new ArrayList<>();
        try {
            for (long bytes : sizes) {
                INDArray payload = Nd4j.rand(DataType.FLOAT, Math.max(1, bytes / 4));
                out.add(timing.measure(() -> {
                    try {
                        transport.send(Message.of(THERE, Map.of("x", payload)), waits);
                        transport.release(transport.receive(BACK, waits).tensors().values());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while profiling the transport", e);
                    }
                }));
            }
            transport.send(Message.of(THERE, Map.of(STOP, Nd4j.zeros(DataType.FLOAT, 1))), waits);
            echo.join(WAIT_NANOS / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while profiling the transport", e);
        }
        return out;
    }

    /** Sends every message to {@link #B} back to {@link #A} until the stop message. */
    private static void echo(Transport transport, Waits waits) {
        try {
            while (true) {
                Message m = transport.receive(THERE, waits);
                if (m.tensors().containsKey(STOP)) {
                    transport.release(m.tensors().values());
                    return;
                }
                transport.send(Message.of(BACK, m.tensors()), waits);
                transport.release(m.tensors().values());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
