package org.modelpar.executor.worker;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.transport.ByteMarshaller;
import org.modelpar.executor.train.WarmUp;

/**
 * The coordinator's side of the workers' warm-up ({@link WarmUp}): after each warm-up step every rank sends its
 * step time and JIT compilation time ({@code WarmUp} call) and waits; once all have, the step is the slowest rank's
 * with the longest compilation ({@link WarmUp.Step#max}), and every rank is told whether to run another
 * ({@code more}) or to start the run ({@code done}), so all ranks run the same number of warm-up steps. Thread-safe.
 */
final class WarmUpBarrier {
    private final int worldSize;
    private final List<WarmUp.Step> steps = new ArrayList<>();
    private final List<StreamObserver<byte[]>> waiting = new ArrayList<>();
    private WarmUp.Step slowest = new WarmUp.Step(0, 0);

    WarmUpBarrier(int worldSize) {
        this.worldSize = worldSize;
    }

    /**
     * A rank's warm-up step ({@link WarmUp.Step#encode}); {@code answer} gets {@code more} or {@code done} once every
     * rank's has.
     */
    synchronized void arrive(String step, StreamObserver<byte[]> answer) {
        slowest = slowest.max(WarmUp.Step.decode(step));
        waiting.add(answer);
        if (waiting.size() == worldSize) {
            steps.add(slowest);
            byte[] word = (WarmUp.done(steps) ? "done" : "more").getBytes(StandardCharsets.UTF_8);
            waiting.forEach(w -> ByteMarshaller.reply(w, word));
            waiting.clear();
            slowest = new WarmUp.Step(0, 0);
        }
    }

    /** The run stopped: the ranks waiting here fail with {@code why}. */
    synchronized void abort(String why) {
        waiting.forEach(w -> w.onError(Status.ABORTED.withDescription(why).asException()));
        waiting.clear();
    }

    /** The warm-up steps' times so far, each the slowest rank's. */
    synchronized List<Double> stepSeconds() {
        return steps.stream().map(WarmUp.Step::seconds).toList();
    }
}
