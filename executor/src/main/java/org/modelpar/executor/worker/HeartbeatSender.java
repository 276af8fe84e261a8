package org.modelpar.executor.worker;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.modelpar.executor.transport.GrpcTransport;

/**
 * A worker's side of its heartbeat ({@link Heartbeats}): a daemon thread sends its {@link Progress} to the
 * coordinator every {@link Heartbeats#PERIOD_MILLIS} ms on one open stream. When the coordinator answers
 * (the run stopped) or the stream breaks (the coordinator is gone), the worker's transport is aborted, so a
 * device waiting for another rank fails at once instead of after its timeout. Closing ends the stream cleanly.
 */
final class HeartbeatSender implements AutoCloseable {
    private final StreamObserver<byte[]> stream;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modelpar-heartbeat");
        t.setDaemon(true);
        return t;
    });

    HeartbeatSender(ManagedChannel coordinator, int rank, Progress progress, GrpcTransport transport) {
        this.stream = ClientCalls.asyncBidiStreamingCall(coordinator.newCall(Coordinator.HEARTBEAT, CallOptions.DEFAULT),
                new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] why) {
                        transport.abort(new String(why, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onError(Throwable t) {
                        transport.abort("the heartbeat stream to the coordinator " + coordinator.authority() + " broke: "
                                + Status.fromThrowable(t).getCode());
                    }

                    @Override
                    public void onCompleted() {
                        // the coordinator's answer came in onNext
                    }
                });
        timer.scheduleAtFixedRate(() -> send(progress.now().encode(rank)), 0, Heartbeats.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private synchronized void send(String beat) {
        try {
            stream.onNext(beat.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // the stream is closed; its observer has aborted the transport
        }
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        try {
            stream.onCompleted();
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
