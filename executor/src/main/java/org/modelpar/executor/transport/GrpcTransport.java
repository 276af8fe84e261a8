package org.modelpar.executor.transport;

import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The transport between worker processes: gRPC over Netty with raw byte frames. Each process serves the
 * mailboxes of its own devices; a send to a device of another process is encoded ({@link TensorCodec}),
 * cut into frames ({@link Frames}) and written on one client stream per peer process, kept open for the
 * run ({@link Outbound}); the server's end of each stream ({@link Inbound}) decodes received tensors into
 * pooled arrays that {@link #release} takes back ({@link PooledArrays}) and puts the message into its
 * mailbox. A message costs no thread hand-off beyond Netty's own: the server and the streams to the peers run on
 * the process's one {@link EventLoop} thread, and the client's callbacks and the server's handler run on it (direct
 * executors). The flow-control window of every stream is {@link #WINDOW_BYTES} (fixed: no automatic tuning). A
 * send to a device of this process is copied straight into its mailbox.
 */
public final class GrpcTransport implements Transport {
    static final String SERVICE = "modelpar.Transport";
    static final MethodDescriptor<Frames.Frame, byte[]> FRAMES = MethodDescriptor.<Frames.Frame, byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Frames"))
            .setRequestMarshaller(Frames.MARSHALLER)
            .setResponseMarshaller(ByteMarshaller.instance())
            .build();
    /** HTTP/2 flow-control window of every stream. */
    static final int WINDOW_BYTES = 8 << 20;
    private final Map<String, Mailbox> local;
    private final Waits serverWaits;
    /** Where a message waits for room in a full mailbox (the event loop never blocks). */
    private final ExecutorService overflow = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "modelpar-grpc-overflow");
        t.setDaemon(true);
        return t;
    });
    private final EventLoop loop;
    /** Whether {@link #close} closes {@link #loop} (a transport that started its own). */
    private final boolean ownLoop;
    private final Server server;
    private final Map<String, String> addresses = new HashMap<>();
    private final Map<String, Outbound> outbound = new HashMap<>();
    private final PooledArrays received = new PooledArrays();
    /** The encoded bytes of the messages sent to and received from other processes so far. */
    private final LongAdder moved = new LongAdder();
    /** Why the run stopped elsewhere ({@link #abort}); null while it runs. */
    private volatile String aborted;

    /**
     * Starts serving the mailboxes of this process's devices on the process's event loop.
     *
     * @param loop        the process's event loop, which the server and the streams to the peers run on (the caller
     *                    closes it after this transport)
     * @param host        interface to bind (127.0.0.1 for loopback, 0.0.0.0 for every interface)
     * @param port        port to bind, 0 for any free one ({@link #port()})
     * @param capacities  mailbox capacity per device of this process
     * @param serverWaits how an incoming message waits for room in a full mailbox (the run's timeout)
     */
    public GrpcTransport(EventLoop loop, String host, int port, Map<String, Integer> capacities, Waits serverWaits) {
        this(loop, false, host, port, capacities, serverWaits);
    }

    /**
     * As {@link #GrpcTransport(EventLoop, String, int, Map, Waits)} on an event loop of its own, closed with it: a
     * transport that stands for a process of its own (the profiler's and the tests' pairs in one JVM).
     */
    public GrpcTransport(String host, int port, Map<String, Integer> capacities, Waits serverWaits) {
        this(EventLoop.start(), true, host, port, capacities, serverWaits);
    }

    private GrpcTransport(EventLoop loop, boolean ownLoop, String host, int port, Map<String, Integer> capacities,
                          Waits serverWaits) {
        this.loop = loop;
        this.ownLoop = ownLoop;
        this.local = new LinkedHashMap<>();
        capacities.forEach((d, c) -> local.put(d, new Mailbox(c)));
        this.serverWaits = serverWaits;
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(FRAMES, ServerCalls.asyncClientStreamingCall(
                response -> new Inbound(response, local, received, moved, overflow, serverWaits))).build();
        try {
            this.server = loop.server(host, port, InsecureServerCredentials.create())
                    .flowControlWindow(WINDOW_BYTES).addService(service).directExecutor().build().start();
        } catch (IOException e) {
            overflow.shutdownNow();
            if (ownLoop) {
                loop.close();
            }
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
        moved.add(outbound(to).write(m, abortable(waits)));
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

    /** The bytes sent to and received from other processes, and the CPU time of the event loop that moved them. */
    @Override
    public TransportLoad load() {
        return new TransportLoad(loop.cpuSeconds(), moved.sum());
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
        if (ownLoop) {
            try {
                server.awaitTermination(Outbound.CLOSE_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.close();
        }
    }

    private synchronized Outbound outbound(String device) {
        String address = addresses.get(device);
        if (address == null) {
            throw new IllegalStateException("no address for device " + device + "; known: " + addresses.keySet());
        }
        return outbound.computeIfAbsent(address, a -> new Outbound(loop, a, WINDOW_BYTES));
    }
}
