package org.modelpar.executor.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.train.WarmUp;

/**
 * The coordinator's side of the workers' warm-up ({@link WarmUp}): after each warm-up step every rank sends its
 * step time ({@code WarmUp} call) and waits; once all have, the step's time is the slowest rank's, and every rank
 * is told whether to run another ({@code more}) or to start the run ({@code done}), so all ranks run the same
 * number of warm-up steps. Thread-safe.
 */
final class WarmUpBarrier {
    private final int worldSize;
    private final List<Double> stepSeconds = new ArrayList<>();
    private final List<StreamObserver<byte[]>> waiting = new ArrayList<>();
    private double slowest;

    WarmUpBarrier(int worldSize) {
        this.worldSize = worldSize;
    }

    /** A rank's warm-up step took {@code seconds}; {@code answer} gets {@code more} or {@code done} once every rank's has. */
    synchronized void arrive(double seconds, StreamObserver<byte[]> answer) {
        slowest = Math.max(slowest, seconds);
        waiting.add(answer);
        if (waiting.size() == worldSize) {
            stepSeconds.add(slowest);
            byte[] word = (WarmUp.done(stepSeconds) ? "done" : "more").getBytes(StandardCharsets.UTF_8);
            waiting.forEach(w -> {
                w.onNext(word);
                w.onCompleted();
            });
            waiting.clear();
            slowest = 0;
        }
    }

    /** The run stopped: the ranks waiting here fail with {@code why}. */
    synchronized void abort(String why) {
        waiting.forEach(w -> w.onError(Status.ABORTED.withDescription(why).asException()));
        waiting.clear();
    }

    /** The warm-up steps' times so far, each the slowest rank's. */
    synchronized List<Double> stepSeconds() {
        return List.copyOf(stepSeconds);
    }
}
