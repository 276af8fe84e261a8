package org.modelpar.executor.transport;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's end of one peer's frame stream, on the Netty event loop: joins frames into messages, decodes
 * each into pooled arrays and puts it into its device's mailbox. It asks for the next frame only once the
 * previous message is in its mailbox, so a full mailbox pushes back to the sender through HTTP/2 flow
 * control; the message that met it waits for room on a thread of {@code overflow}, never on the event loop.
 */
final class Inbound implements StreamObserver<Frames.Frame> {
    private final ServerCallStreamObserver<byte[]> call;
    private final Map<String, Mailbox> local;
    private final PooledArrays received;
    private final LongAdder moved;
    private final Executor overflow;
    private final Waits overflowWaits;
    private final Frames frames = new Frames();
    /** The put of a message that met a full mailbox; the stream's end is acknowledged after it. */
    private CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    /** @param moved counts the bytes of each whole message received */
    Inbound(StreamObserver<byte[]> response, Map<String, Mailbox> local, PooledArrays received, LongAdder moved,
            Executor overflow, Waits overflowWaits) {
        this.call = (ServerCallStreamObserver<byte[]>) response;
        this.local = local;
        this.received = received;
        this.moved = moved;
        this.overflow = overflow;
        this.overflowWaits = overflowWaits;
        call.disableAutoRequest();
        call.request(1);
    }

    @Override
    public void onNext(Frames.Frame frame) {
        try {
            var whole = frames.add(frame);
            if (whole.isEmpty()) {
                call.request(1);
                return;
            }
            moved.add(whole.get().remaining());
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
            call.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
        }
    }

    private void putThenRequest(Mailbox box, Message m) {
        try {
            box.put(m, overflowWaits);
            call.request(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.onError(Status.CANCELLED.withDescription("interrupted").asException());
        } catch (RuntimeException e) {
            call.onError(Status.INTERNAL.withDescription(e.getMessage()).asException());
        }
    }

    @Override
    public void onError(Throwable t) {
        // the sending process went away; its receivers time out or the supervisor stops the run
    }

    @Override
    public void onCompleted() {
        pending.whenComplete((done, failed) -> {
            call.onNext(new byte[0]);
            call.onCompleted();
        });
    }
}
