package org.modelpar.executor.transport;

import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One host's end of {@code modelpar profile --hosts}: a {@link GrpcTransport} (the workers' transport) and a
 * small control service. {@code Echo} sends every probe message from a peer back to it; {@code Measure}
 * ping-pongs tensors of the asked sizes with a peer's server over the two transports and answers each
 * size's round-trip times ({@link #roundTrips}), so what is measured is the link between two hosts as the
 * workers use it.
 */
public final class LinkProbeServer implements AutoCloseable {
    static final String SERVICE = "modelpar.LinkProbe";
    static final MethodDescriptor<byte[], byte[]> ADDRESS = ByteMarshaller.method(SERVICE, "Address", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> ECHO = ByteMarshaller.method(SERVICE, "Echo", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> MEASURE = ByteMarshaller.method(SERVICE, "Measure", MethodDescriptor.MethodType.UNARY);
    /** How long one probe message may take before the probe fails naming it. */
    private static final long WAIT_SECONDS = 30;
    private static final Waits WAITS = Waits.timeout(TimeUnit.SECONDS.toNanos(WAIT_SECONDS));
    /** This process's event loop: the control server, the transport and the channels to the peers run on it. */
    private final EventLoop loop = EventLoop.start();
    private final Server control;
    /** This host's probe: its control address, also the name of its transport mailbox. */
    private final String self;
    private final GrpcTransport transport;
    private final String transportAddress;
    private final ExecutorService echoes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "modelpar-probe");
        t.setDaemon(true);
        return t;
    });

    /**
     * Serves probes on {@code port} of {@code bindHost}; peers reach this host at {@code advertiseHost}.
     *
     * @param port 0 for any free port ({@link #port()})
     */
    public LinkProbeServer(String bindHost, int port, String advertiseHost) {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(ADDRESS, ServerCalls.asyncUnaryCall(this::address))
                .addMethod(ECHO, ServerCalls.asyncUnaryCall(this::echo))
                .addMethod(MEASURE, ServerCalls.asyncUnaryCall(this::measure)).build();
        try {
            this.control = loop.server(bindHost, port, InsecureServerCredentials.create()).addService(service).build().start();
        } catch (IOException e) {
            loop.close();
            throw new UncheckedIOException("cannot serve link probes on " + bindHost + ":" + port + ": " + EventLoop.whyNotServing(e), e);
        }
        this.self = advertiseHost + ":" + control.getPort();
        this.transport = new GrpcTransport(loop, bindHost, 0, Map.of(self, 4), WAITS);
        this.transportAddress = advertiseHost + ":" + transport.port();
    }

    public int port() {
        return control.getPort();
    }

    /** Blocks until the server is shut down (the process is stopped). */
    public void awaitTermination() throws InterruptedException {
        control.awaitTermination();
    }

    /** Whether the server has finished starting; answers UNAVAILABLE if not. */
    private boolean started(StreamObserver<byte[]> out) {
        if (transportAddress == null) {
            out.onError(Status.UNAVAILABLE.withDescription("the link probe is starting").asException());
            return false;
        }
        return true;
    }

    /** Answers {@code probe \n transport-address}: this probe's name and where its transport listens. */
    private void address(byte[] request, StreamObserver<byte[]> out) {
        if (started(out)) {
            ByteMarshaller.reply(out, (self + "\n" + transportAddress).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Request {@code probe \n transport-address \n count}: sends {@code count} probe messages from that probe
     * back to it; answers once they are all back.
     */
    private void echo(byte[] request, StreamObserver<byte[]> out) {
        if (!started(out)) {
            return;
        }
        String[] f = new String(request, StandardCharsets.UTF_8).split("\n");
        String from = f[0];
        int count = Integer.parseInt(f[2]);
        transport.connect(Map.of(from, f[1]));
        echoes.execute(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    Message m = transport.receive(new Message.Key(from, self, "probe " + i), WAITS);
                    transport.send(Message.of(new Message.Key(self, from, "probe " + i), m.tensors()), WAITS);
                    transport.release(m.tensors().values());
                }
                ByteMarshaller.reply(out, new byte[0]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.onError(Status.CANCELLED.withDescription("interrupted").asException());
            } catch (RuntimeException e) {
                out.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
            }
        });
    }

    /**
     * Request {@code peer-control-address \n repetitions \n bytes,bytes,...}: for each size, {@code repetitions}
     * timed round trips (after as many untimed ones) with the peer's server; answers one line per size, the
     * round-trip seconds separated by spaces.
     */
    private void measure(byte[] request, StreamObserver<byte[]> out) {
        if (!started(out)) {
            return;
        }
        String[] f = new String(request, StandardCharsets.UTF_8).split("\n");
        int repetitions = Integer.parseInt(f[1]);
        long[] sizes = Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
        ManagedChannel peer = loop.channel(f[0], InsecureChannelCredentials.create()).build();
        echoes.execute(() -> {
            try {
                String[] at = new String(call(peer, ADDRESS, new byte[0]), StandardCharsets.UTF_8).split("\n");
                String peerProbe = at[0];
                transport.connect(Map.of(peerProbe, at[1]));
                var echoed = ClientCalls.futureUnaryCall(peer.newCall(ECHO, options()),
                        (self + "\n" + transportAddress + "\n" + 2 * repetitions * sizes.length).getBytes(StandardCharsets.UTF_8));
                StringBuilder answer = new StringBuilder();
                int i = 0;
                for (long bytes : sizes) {
                    INDArray payload = Nd4j.ones(DataType.FLOAT, Math.max(1, bytes / Float.BYTES));
                    List<String> seconds = new ArrayList<>();
                    for (int r = 0; r < 2 * repetitions; r++, i++) {
                        long start = System.nanoTime();
                        transport.send(Message.of(new Message.Key(self, peerProbe, "probe " + i), Map.of("t", payload)), WAITS);
                        transport.release(transport.receive(new Message.Key(peerProbe, self, "probe " + i), WAITS).tensors().values());
                        if (r >= repetitions) {
                            seconds.add(Double.toString((System.nanoTime() - start) / 1e9));
                        }
                    }
                    answer.append(String.join(" ", seconds)).append('\n');
                }
                echoed.get(WAIT_SECONDS, TimeUnit.SECONDS);
                ByteMarshaller.reply(out, answer.toString().getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.onError(Status.CANCELLED.withDescription("interrupted").asException());
            } catch (Exception e) {
                out.onError(Status.INTERNAL.withDescription("probing " + f[0] + ": " + e.getMessage()).asException());
            } finally {
                peer.shutdownNow();
            }
        });
    }

    /**
     * Asks the probe at {@code from} to ping-pong with the probe at {@code to} (both control addresses,
     * {@code host:port}): for each size in {@code bytes}, {@code repetitions} round-trip times in seconds.
     *
     * @throws IllegalStateException naming the probe that could not be reached or failed
     */
    public static List<double[]> roundTrips(String from, String to, int repetitions, long[] bytes) {
        try (EventLoop loop = EventLoop.start()) {
            ManagedChannel channel = loop.channel(from, InsecureChannelCredentials.create()).build();
            try {
                String request = to + "\n" + repetitions + "\n" + String.join(",", Arrays.stream(bytes).mapToObj(Long::toString).toList());
                String answer = new String(call(channel, MEASURE, request.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
                List<double[]> out = new ArrayList<>();
                for (String line : answer.split("\n")) {
                    out.add(Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray());
                }
                return out;
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(5 * WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static byte[] call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, byte[] request) {
        try {
            return ClientCalls.blockingUnaryCall(channel, method, options(), request);
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException(channel.authority() + " answered " + method.getBareMethodName() + " with "
                    + e.getStatus().getCode() + ": " + e.getStatus().getDescription(), e);
        }
    }

    @Override
    public void close() {
        control.shutdownNow();
        echoes.shutdownNow();
        transport.close();
        loop.close();
    }
}
