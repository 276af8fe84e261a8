package org.modelpar.executor.transport;

import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transport between worker processes: gRPC over Netty with raw byte frames. Each process serves the
 * mailboxes of its own devices; a send to a device of another process is encoded ({@link TensorCodec}),
 * cut into frames ({@link Frames}) and written on one client stream per peer process, kept open for the
 * run; received tensors are decoded into pooled arrays that {@link #release} takes back ({@link ReceivedArrays}).
 * A message costs no thread hand-off beyond Netty's own: the client's callbacks and the server's handler run
 * on the Netty event loop (direct executors), and the handler decodes the frame and puts the message into its
 * mailbox there. The server asks for the next frame only once the previous message is in
 * its mailbox, so a full mailbox pushes back to the sender through HTTP/2 flow control (a message that
 * meets a full mailbox waits on a thread of its own, not on the event loop): a sender goes on while its
 * bytes fit the window ({@link #WINDOW_BYTES}, fixed: no automatic tuning) plus what its stream may queue
 * ({@link #WINDOW_BYTES} again) and then waits. A send to a device of this process is copied straight into
 * its mailbox.
 */
public final class GrpcTransport implements Transport {
    static final String SERVICE = "modelpar.Transport";
    static final MethodDescriptor<Frames.Frame, byte[]> FRAMES = MethodDescriptor.<Frames.Frame, byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Frames"))
            .setRequestMarshaller(Frames.MARSHALLER)
            .setResponseMarshaller(ByteMarshaller.instance())
            .build();
    /** HTTP/2 flow-control window of every stream, and the bytes a sender may queue beyond it. */
    static final int WINDOW_BYTES = 8 << 20;
    /** How long closing waits for a peer to acknowledge the last frames sent to it. */
    private static final long CLOSE_SECONDS = 10;
    private final Map<String, Mailbox> local;
    private final Waits serverWaits;
    /** Where a message waits for room in a full mailbox (the event loop never blocks). */
    private final ExecutorService overflow = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "modelpar-grpc-overflow");
        t.setDaemon(true);
        return t;
    });
    private final Server server;
    private final Map<String, String> addresses = new HashMap<>();
    private final Map<String, Outbound> outbound = new HashMap<>();
    private final ReceivedArrays received = new ReceivedArrays();
    /** Why the run stopped elsewhere ({@link #abort}); null while it runs. */
    private volatile String aborted;

    /**
     * Starts serving the mailboxes of this process's devices.
     *
     * @param host        interface to bind (127.0.0.1 for loopback, 0.0.0.0 for every interface)
     * @param port        port to bind, 0 for any free one ({@link #port()})
     * @param capacities  mailbox capacity per device of this process
     * @param serverWaits how an incoming message waits for room in a full mailbox (the run's timeout)
     */
    public GrpcTransport(String host, int port, Map<String, Integer> capacities, Waits serverWaits) {
        this.local = new LinkedHashMap<>();
        capacities.forEach((d, c) -> local.put(d, new Mailbox(c)));
        this.serverWaits = serverWaits;
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(FRAMES, ServerCalls.asyncClientStreamingCall(this::inbound)).build();
        try {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), InsecureServerCredentials.create())
                    .flowControlWindow(WINDOW_BYTES).addService(service).directExecutor().build().start();
        } catch (IOException e) {
            overflow.shutdownNow();
            throw new UncheckedIOException("cannot serve the transport on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    /** Where every device of the run is served ({@code host:port}), this process's own included. */
    public synchronized void connect(Map<String, String> addressOfDevice) {
        addresses.putAll(addressOfDevice);
    }

    @Override
    public void send(Message m, Waits waits) throws InterruptedException {
        String to = m.key().to();
        Mailbox box = local.get(to);
        if (box != null) {
            Map<String, INDArray> copies = new LinkedHashMap<>();
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                m.tensors().forEach((k, v) -> copies.put(k, v.dup('c')));
            }
            m.onDelivered().run();
            box.put(Message.of(m.key(), copies), abortable(waits));
            return;
        }
        outbound(to).write(m, abortable(waits));
        m.onDelivered().run();
    }

    @Override
    public Message receive(Message.Key key, Waits waits) throws InterruptedException {
        Mailbox box = local.get(key.to());
        if (box == null) {
            throw new IllegalArgumentException("device " + key.to() + " is not served by this process " + local.keySet());
        }
        return box.take(key, abortable(waits));
    }

    /**
     * Stops every wait of this process's sends and receives, now and later, with {@code why}: the run stopped
     * elsewhere (the coordinator says so), so a device waiting for a lost rank fails at once, naming its instruction.
     */
    public void abort(String why) {
        aborted = why;
    }

    private Waits abortable(Waits waits) {
        return (monitor, done, what) -> {
            waits.await(monitor, () -> aborted != null || done.getAsBoolean(), what);
            if (aborted != null) {
                throw new IllegalStateException("the run stopped: " + aborted);
            }
        };
    }

    @Override
    public void release(Collection<INDArray> arrays) {
        received.release(arrays);
    }

    /** Arrays allocated so far to decode received tensors into (constant once the steps repeat). */
    long receivedAllocations() {
        return received.allocations();
    }

    @Override
    public void close() {
        synchronized (this) {
            outbound.values().forEach(Outbound::close);
        }
        // every message this process's devices needed has been received: the peers' open streams carry no more
        server.shutdownNow();
        overflow.shutdownNow();
    }

    private synchronized Outbound outbound(String device) {
        String address = addresses.get(device);
        if (address == null) {
            throw new IllegalStateException("no address for device " + device + "; known: " + addresses.keySet());
        }
        return outbound.computeIfAbsent(address, Outbound::new);
    }

    private StreamObserver<Frames.Frame> inbound(StreamObserver<byte[]> response) {
        ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) response;
        call.disableAutoRequest();
        call.request(1);
        Frames frames = new Frames();
        return new StreamObserver<>() {
            /** The put of a message that met a full mailbox; the stream's end is acknowledged after it. */
            private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

            @Override
            public void onNext(Frames.Frame frame) {
                try {
                    var whole = frames.add(frame);
                    if (whole.isEmpty()) {
                        call.request(1);
                        return;
                    }
                    Message m = TensorCodec.decode(whole.get(), received::take);
                    Mailbox box = local.get(m.key().to());
                    if (box == null) {
                        throw new IllegalStateException("message for device " + m.key().to() + " reached a process serving " + local.keySet());
                    }
                    if (box.offer(m)) {
                        call.request(1);
                    } else {
                        pending = CompletableFuture.runAsync(() -> putThenRequest(box, m), overflow);
                    }
                } catch (RuntimeException e) {
                    call.onError(io.grpc.Status.INTERNAL.withDescription(e.getMessage()).asException());
                }
            }

            private void putThenRequest(Mailbox box, Message m) {
                try {
                    box.put(m, serverWaits);
                    call.request(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    call.onError(io.grpc.Status.CANCELLED.withDescription("interrupted").asException());
                } catch (RuntimeException e) {
                    call.onError(io.grpc.Status.INTERNAL.withDescription(e.getMessage()).asException());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the sending process went away; its receivers time out or the supervisor stops the run
            }

            @Override
            public void onCompleted() {
                pending.whenComplete((done, failed) -> {
                    response.onNext(new byte[0]);
                    response.onCompleted();
                });
            }
        };
    }

    /** One client stream to a peer process; writes are serialized and wait for the flow-control window. */
    private static final class Outbound {
        private final String address;
        private final ManagedChannel channel;
        private ClientCallStreamObserver<Frames.Frame> stream;
        /** The last message's encoding, reused by the next (gRPC has copied a frame once {@code onNext} returns). */
        private byte[] encoded = new byte[0];
        private Throwable failure;
        private boolean finished;
        private boolean acknowledged;

        Outbound(String address) {
            this.address = address;
            this.channel = NettyChannelBuilder.forTarget(address, InsecureChannelCredentials.create())
                    .flowControlWindow(WINDOW_BYTES).directExecutor().build();
            ClientCalls.asyncClientStreamingCall(channel.newCall(FRAMES, CallOptions.DEFAULT.withOnReadyThreshold(WINDOW_BYTES)),
                    new ClientResponseObserver<Frames.Frame, byte[]>() {
                        @Override
                        public void beforeStart(ClientCallStreamObserver<Frames.Frame> requests) {
                            stream = requests;
                            requests.setOnReadyHandler(() -> wake());
                        }

                        @Override
                        public void onNext(byte[] value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            fail(t);
                        }

                        @Override
                        public void onCompleted() {
                            done();
                        }
                    });
        }

        private synchronized void wake() {
            notifyAll();
        }

        private synchronized void done() {
            acknowledged = true;
            notifyAll();
        }

        private synchronized void fail(Throwable t) {
            failure = t;
            notifyAll();
        }

        synchronized void write(Message m, Waits waits) throws InterruptedException {
            ByteBuffer bytes = TensorCodec.encode(m, encoded);
            encoded = bytes.array();
            for (Frames.Frame frame : Frames.split(encoded, bytes.limit())) {
                waits.await(this, () -> failure != null || stream.isReady(), "the flow-control window to " + address);
                if (failure != null) {
                    throw new IllegalStateException("connection to " + address + " lost: " + failure.getMessage());
                }
                stream.onNext(frame);
            }
        }

        /** Ends the stream and waits (boundedly) until the peer has taken every frame into its mailboxes. */
        synchronized void close() {
            if (!finished && failure == null) {
                stream.onCompleted();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_SECONDS);
                try {
                    while (!acknowledged && failure == null && System.nanoTime() < deadline) {
                        wait(10);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            finished = true;
            channel.shutdown();
        }
    }
}
