package org.modelpar.executor.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A process's one event loop: two transports on it (their servers and their streams to each other) exchange messages
 * on its one thread and start none of gRPC's default event-loop threads (a channel still resolves its address once on
 * gRPC's executor); one transport's close leaves the loop to the other, and closing the loop ends its thread. On
 * Linux it is epoll.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventLoopTest {
    private static final Waits WAITS = Waits.timeout(TimeUnit.SECONDS.toNanos(10));

    @Test
    void transportsOfAProcessShareItsOneThread() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        EventLoop loop = EventLoop.start();
        try {
            assertThat(loop.epoll()).as("Linux's native transport loads").isEqualTo(System.getProperty("os.name").equals("Linux"));
            try (GrpcTransport a = new GrpcTransport(loop, "127.0.0.1", 0, Map.of("a", 2), WAITS)) {
                try (GrpcTransport b = new GrpcTransport(loop, "127.0.0.1", 0, Map.of("b", 2), WAITS)) {
                    Map<String, String> addresses = Map.of("a", "127.0.0.1:" + a.port(), "b", "127.0.0.1:" + b.port());
                    a.connect(addresses);
                    b.connect(addresses);
                    INDArray x = Nd4j.rand(DataType.FLOAT, 64, 32);
                    for (int i = 0; i < 3; i++) {
                        Message.Key there = new Message.Key("a", "b", "act mb" + i);
                        a.send(Message.of(there, Map.of("x", x)), WAITS);
                        Message got = b.receive(there, WAITS);
                        assertThat(got.tensors().get("x").equals(x)).isTrue();
                        Message.Key back = new Message.Key("b", "a", "grad mb" + i);
                        b.send(Message.of(back, got.tensors()), WAITS);
                        b.release(got.tensors().values());
                        a.release(a.receive(back, WAITS).tensors().values());
                    }
                    assertThat(started(before, "modelpar-netty")).as("one thread for both servers and both streams").hasSize(1);
                    // gRPC's own event-loop groups name their threads grpc-{default,nio}-{boss,worker}-ELG-...
                    assertThat(started(before, "grpc-").stream().filter(t -> t.contains("-ELG-")))
                            .as("none of gRPC's own event loops").isEmpty();
                }
                // b closed its server and its stream, not the loop: a still serves on it
                try (GrpcTransport c = new GrpcTransport(loop, "127.0.0.1", 0, Map.of("c", 2), WAITS)) {
                    Map<String, String> addresses = Map.of("a", "127.0.0.1:" + a.port(), "c", "127.0.0.1:" + c.port());
                    a.connect(addresses);
                    c.connect(addresses);
                    Message.Key key = new Message.Key("c", "a", "after");
                    c.send(Message.of(key, Map.of("x", Nd4j.ones(DataType.FLOAT, 4))), WAITS);
                    assertThat(a.receive(key, WAITS).tensors().get("x").sumNumber().doubleValue()).isEqualTo(4.0);
                }
            }
        } finally {
            loop.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!started(before, "modelpar-netty").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(started(before, "modelpar-netty")).as("closing the loop ends its thread").isEmpty();
    }

    /** The live threads named {@code prefix...} that are not in {@code before}. */
    private static List<String> started(Set<Thread> before, String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive() && t.getName().startsWith(prefix))
                .map(Thread::getName).toList();
    }
}
