package org.modelpar.executor.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.modelpar.executor.transport.GrpcTransport;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.Transport;
import org.modelpar.executor.transport.Waits;

/**
 * The far end of {@link TransportPingPongBenchmark} as a process of its own: serves device {@code b} over
 * gRPC, prints {@code PORT p}, reads device {@code a}'s address from its input and answers {@code count}
 * pings. Arguments: count, and {@code true} to keep a compute loop spinning beside it.
 */
public final class PingPongPeer {
    static final Waits WAITS = Waits.timeout(TimeUnit.SECONDS.toNanos(60));

    private PingPongPeer() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        try (GrpcTransport b = new GrpcTransport("127.0.0.1", 0, Map.of("b", 2), WAITS)) {
            System.out.println("PORT " + b.port());
            System.out.flush();
            String a = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            b.connect(Map.of("a", a, "b", "127.0.0.1:" + b.port()));
            Thread spin = spin(Boolean.parseBoolean(args[1]));
            echo(b, count);
            spin.interrupt();
        }
        System.exit(0);
    }

    /** Answers pings 0 .. count-1 from {@code a} with pongs of the same tensors. */
    static void echo(Transport b, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            Message m = b.receive(new Message.Key("a", "b", "ping " + i), WAITS);
            b.send(Message.of(new Message.Key("b", "a", "pong " + i), m.tensors()), WAITS);
            b.release(m.tensors().values());
        }
    }

    /** A daemon thread computing until interrupted when {@code busy} (a worker's compute), else one that ends at once. */
    static Thread spin(boolean busy) {
        Thread t = new Thread(() -> {
            double acc = 1;
            while (busy && !Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < 100_000; i++) {
                    acc = Math.sqrt(acc + i);
                }
            }
            if (acc < 0) {
                System.out.println(acc);
            }
        }, "spin");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
