package org.modelpar.executor.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.transport.GrpcTransport;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.worker.LocalWorkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * bench/executor-transport.sh, first: round trips of one activation-sized message (128 KiB, a 16 x 32 x 64 fp32
 * tensor) between two devices, as two threads of one process (the send copies into the peer's mailbox) and
 * as two processes over gRPC on loopback; each with the cores idle and with one compute loop per side
 * spinning (both cores of a 2-core machine busy, as in a pipeline's steady state, so every hand-off waits for
 * the scheduler). Prints the median and 90th percentile round trip after {@code COUNT / 3} untimed ones: 1,000, so the
 * JIT has compiled the transport's path (after 100, a worker process on C1 still took 1.2-2.0 ms a round trip with idle
 * cores, where 1,000 bring it to 0.5 ms).
 * Override with {@code -Dbench.count=...}.
 */
@Tag("slow")
class TransportPingPongBenchmark {
    private static final int COUNT = Integer.getInteger("bench.count", 3000);

    @Test
    void threadsAndProcessesIdleAndBusy() throws Exception {
        for (boolean busy : new boolean[] {false, true}) {
            double[] threads = threads(busy);
            double[] processes = processes(busy);
            System.out.printf("BENCH pingpong %s: round trip median/p90 threads %.0f/%.0f us, processes over gRPC %.0f/%.0f us%n",
                    busy ? "both cores computing" : "idle cores", median(threads), p90(threads), median(processes), p90(processes));
        }
    }

    private static double[] threads(boolean busy) throws Exception {
        try (GrpcTransport both = new GrpcTransport("127.0.0.1", 0, Map.of("a", 2, "b", 2), PingPongPeer.WAITS)) {
            Thread spinA = PingPongPeer.spin(busy);
            Thread spinB = PingPongPeer.spin(busy);
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try {
                    PingPongPeer.echo(both, COUNT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            double[] rtt = pings(both);
            peer.get(60, TimeUnit.SECONDS);
            spinA.interrupt();
            spinB.interrupt();
            return rtt;
        }
    }

    private static double[] processes(boolean busy) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LocalWorkers.javaCommand(PingPongPeer.class.getName(),
                List.of(Integer.toString(COUNT), Boolean.toString(busy)))).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try (GrpcTransport a = new GrpcTransport("127.0.0.1", 0, Map.of("a", 2), PingPongPeer.WAITS)) {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            while (line != null && !line.startsWith("PORT ")) {
                line = out.readLine();
            }
            if (line == null) {
                throw new IllegalStateException("the ping-pong peer ended before serving");
            }
            a.connect(Map.of("a", "127.0.0.1:" + a.port(), "b", "127.0.0.1:" + line.substring(5)));
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            in.write("127.0.0.1:" + a.port() + "\n");
            in.flush();
            Thread spin = PingPongPeer.spin(busy);
            double[] rtt = pings(a);
            spin.interrupt();
            return rtt;
        } finally {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Sends COUNT pings from {@code a}, each after the previous pong, 2 ms apart; the timed round trips in microseconds. */
    private static double[] pings(org.modelpar.executor.transport.Transport a) throws InterruptedException {
        INDArray x = Nd4j.rand(DataType.FLOAT, 512, 64);
        double[] rtt = new double[COUNT - COUNT / 3];
        for (int i = 0; i < COUNT; i++) {
            long start = System.nanoTime();
            a.send(Message.of(new Message.Key("a", "b", "ping " + i), Map.of("x", x)), PingPongPeer.WAITS);
            Message m = a.receive(new Message.Key("b", "a", "pong " + i), PingPongPeer.WAITS);
            if (i >= COUNT / 3) {
                rtt[i - COUNT / 3] = (System.nanoTime() - start) / 1e3;
            }
            a.release(m.tensors().values());
            Thread.sleep(2);
        }
        return rtt;
    }

    private static double median(double[] v) {
        return quantile(v, 0.5);
    }

    private static double p90(double[] v) {
        return quantile(v, 0.9);
    }

    private static double quantile(double[] v, double q) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[(int) Math.round(q * (c.length - 1))];
    }
}
