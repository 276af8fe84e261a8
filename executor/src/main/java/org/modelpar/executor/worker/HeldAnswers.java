package org.modelpar.executor.worker;

import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.modelpar.executor.transport.ByteMarshaller;

/**
 * The coordinator's answers to workers' step reports (and calibration passes), held back until the run's caller is done
 * with their step ({@link #release}): a worker starts its next step only once answered, so the caller's work between
 * steps runs while the workers wait. Once the run has stopped ({@link #releaseAll}) every answer goes out at once.
 * Thread-safe.
 */
final class HeldAnswers {
    private static final byte[] GO_ON = new byte[0];
    private final Map<Integer, Map<Integer, StreamObserver<byte[]>>> held = new HashMap<>();
    private int releasedThrough;
    private boolean stopped;

    /** Holds the answers of the steps from {@code firstStep} on. */
    HeldAnswers(int firstStep) {
        this.releasedThrough = firstStep - 1;
    }

    /** Answers rank {@code rank}'s report of {@code step} once the caller is done with it (at once if it is). */
    synchronized void hold(int step, int rank, StreamObserver<byte[]> answer) {
        if (stopped || step <= releasedThrough) {
            ByteMarshaller.reply(answer, GO_ON);
        } else {
            held.computeIfAbsent(step, k -> new HashMap<>()).put(rank, answer);
        }
    }

    /** The caller is done with {@code step}: the answers held for it go out. */
    synchronized void release(int step) {
        releasedThrough = step;
        held.getOrDefault(step, Map.of()).values().forEach(out -> ByteMarshaller.reply(out, GO_ON));
        held.remove(step);
    }

    /** The run stopped: every answer held goes out, and every later one at once. */
    synchronized void releaseAll() {
        stopped = true;
        held.values().forEach(answers -> answers.values().forEach(out -> ByteMarshaller.reply(out, GO_ON)));
        held.clear();
    }

    /** Takes rank {@code rank}'s held answer to its report of {@code step} for the caller to give. */
    synchronized Optional<StreamObserver<byte[]>> take(int step, int rank) {
        return Optional.ofNullable(held.getOrDefault(step, Map.of()).remove(rank));
    }
}
