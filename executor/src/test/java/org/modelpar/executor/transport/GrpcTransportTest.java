package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.modelpar.executor.InProcessTransport;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Two transports on loopback: bit-exact tensors across frames, flow control, timeouts naming the message. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcTransportTest {
    private static final Waits WAITS = Waits.timeout(TimeUnit.SECONDS.toNanos(10));

    @Test
    void largeViewArrivesBitExactAcrossFrames() throws Exception {
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("a", 2), WAITS);
             GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 2), WAITS)) {
            connect(a, b);
            INDArray big = Nd4j.rand(DataType.FLOAT, 1000, 900); // 3.6 MB: four frames
            INDArray rows = big.get(NDArrayIndex.interval(100, 700), NDArrayIndex.all());
            INDArray exact = Nd4j.create(new double[] {Math.PI, -0.0, Double.MIN_VALUE, 1e300}, new long[] {2, 2}, DataType.DOUBLE);
            AtomicInteger delivered = new AtomicInteger();
            Message.Key key = new Message.Key("a", "b", "act s0>s1 mb0 @0");
            a.send(new Message(key, Map.of("x", rows, "y", exact), delivered::incrementAndGet), WAITS);
            Message got = b.receive(key, WAITS);
            assertThat(delivered.get()).isEqualTo(1);
            assertThat(got.tensors().get("x").shape()).containsExactly(600, 900);
            assertThat(got.tensors().get("x").equals(rows)).isTrue();
            assertThat(got.tensors().get("y").data().asDouble()).containsExactly(exact.data().asDouble());
            byte[] encoded = TensorCodec.encode(Message.of(key, Map.of("x", rows)));
            assertThat(Frames.split(encoded, encoded.length)).hasSize(3);
        }
    }

    @Test
    void fullMailboxHoldsTheSenderUntilTheReceiverTakes() throws Exception {
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("a", 1), WAITS);
             GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 1), WAITS)) {
            connect(a, b);
            INDArray t = Nd4j.linspace(DataType.FLOAT, 1, 1 << 20, 1); // 4 MiB: four frames
            // one in the mailbox, one waiting for room, the window's and the sender's queue's worth, and two more
            int count = 2 + 2 * GrpcTransport.WINDOW_BYTES / (4 << 20) + 2;
            AtomicInteger delivered = new AtomicInteger();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < count; i++) {
                        a.send(new Message(new Message.Key("a", "b", "m" + i), Map.of("t", t.mul(i)), delivered::incrementAndGet), WAITS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(500);
            assertThat(sender).isNotDone();
            assertThat(delivered.get()).isLessThan(count);
            for (int i = 0; i < count; i++) {
                Message m = b.receive(new Message.Key("a", "b", "m" + i), WAITS);
                assertThat(m.tensors().get("t").getFloat(2)).isEqualTo(3f * i);
                assertThat(m.tensors().get("t").getFloat((1 << 20) - 1)).isEqualTo((float) (1 << 20) * i);
            }
            sender.get(10, TimeUnit.SECONDS);
            assertThat(delivered.get()).isEqualTo(count);
        }
    }

    @Test
    void releasedArraysAreReusedSoSteadyReceivingAllocatesNothing() throws Exception {
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("a", 2), WAITS);
             GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 2), WAITS)) {
            connect(a, b);
            for (int i = 0; i < 4; i++) {
                Message.Key key = new Message.Key("a", "b", "act mb" + i);
                a.send(Message.of(key, Map.of("x", Nd4j.valueArrayOf(new long[] {16, 8}, (float) i))), WAITS);
                INDArray got = b.receive(key, WAITS).tensors().get("x");
                assertThat(got.getFloat(15, 7)).isEqualTo((float) i);
                b.release(java.util.List.of(got));
            }
            assertThat(b.receivedAllocations()).isEqualTo(1);
        }
    }

    @Test
    void loadCountsEachMessagesEncodedBytesOnBothSidesAndTheEventLoopsCpu() throws Exception {
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("a", 4), WAITS);
             GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 4), WAITS)) {
            connect(a, b);
            TransportLoad before = b.load();
            long encoded = 0;
            for (int i = 0; i < 4; i++) {
                Message m = Message.of(new Message.Key("a", "b", "m" + i), Map.of("x", Nd4j.rand(DataType.FLOAT, 256, 256)));
                encoded += TensorCodec.encode(m).length;
                a.send(m, WAITS);
                b.receive(m.key(), WAITS);
            }
            // a message to a device of the same process moves nothing between processes
            a.send(Message.of(new Message.Key("a", "a", "self"), Map.of("x", Nd4j.ones(DataType.FLOAT, 8))), WAITS);
            assertThat(a.load().bytes()).isEqualTo(encoded).isGreaterThan(4L * 256 * 256 * 4);
            TransportLoad received = b.load().since(before);
            assertThat(received.bytes()).isEqualTo(encoded);
            assertThat(received.cpuSeconds()).isPositive(); // the receiver's event loop decoded 1 MiB
            // threads of one process hand messages over without an event loop
            try (InProcessTransport local = new InProcessTransport(Map.of("a", 1))) {
                assertThat(local.load()).isEqualTo(TransportLoad.NONE);
            }
        }
    }

    @Test
    void receiveTimesOutNamingTheMessage() {
        try (GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 1), WAITS)) {
            Message.Key key = new Message.Key("a", "b", "grad s1>s0 mb2 @0");
            assertThatThrownBy(() -> b.receive(key, Waits.timeout(TimeUnit.MILLISECONDS.toNanos(200))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("timed out after 0.2 s waiting for message " + key);
        }
    }

    private static void connect(GrpcTransport a, GrpcTransport b) {
        Map<String, String> addresses = Map.of("a", "127.0.0.1:" + a.port(), "b", "127.0.0.1:" + b.port());
        a.connect(addresses);
        b.connect(addresses);
    }
}
