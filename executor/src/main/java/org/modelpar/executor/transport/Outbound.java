package org.modelpar.executor.transport;

import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * One client stream to a peer process, kept open for the run; writes are serialized and wait for the
 * flow-control window: a sender goes on while its bytes fit the window plus as much queued on its stream.
 */
final class Outbound {
    /** How long closing waits for a peer to acknowledge the last frames sent to it. */
    static final long CLOSE_SECONDS = 10;
    private final String address;
    private final ManagedChannel channel;
    private ClientCallStreamObserver<Frames.Frame> stream;
    /** The last message's encoding, reused by the next (gRPC has copied a frame once {@code onNext} returns). */
    private byte[] encoded = new byte[0];
    private Throwable failure;
    private boolean finished;
    private boolean acknowledged;

    Outbound(EventLoop loop, String address, int windowBytes) {
        this.address = address;
        this.channel = loop.channel(address, InsecureChannelCredentials.create())
                .flowControlWindow(windowBytes).directExecutor().build();
        ClientCalls.asyncClientStreamingCall(channel.newCall(GrpcTransport.FRAMES, CallOptions.DEFAULT.withOnReadyThreshold(windowBytes)),
                new ClientResponseObserver<Frames.Frame, byte[]>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<Frames.Frame> requests) {
                        stream = requests;
                        requests.setOnReadyHandler(Outbound.this::wake);
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

    /** Writes {@code m}'s frames, each once the window and the stream's queue have room for it; returns their bytes. */
    synchronized int write(Message m, Waits waits) throws InterruptedException {
        ByteBuffer bytes = TensorCodec.encode(m, encoded);
        encoded = bytes.array();
        for (Frames.Frame frame : Frames.split(encoded, bytes.limit())) {
            waits.await(this, () -> failure != null || stream.isReady(), "the flow-control window to " + address);
            if (failure != null) {
                throw new PeerLostException(address, failure.getMessage());
            }
            stream.onNext(frame);
        }
        return bytes.limit();
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
