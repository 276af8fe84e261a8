package org.modelpar.executor.profile;

import java.util.OptionalDouble;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * How long a worker's sends held it in a measured run: a worker runs each {@link Send} in program order on its own
 * thread, so the next instruction waits for the hand-over, which on a shared host includes being preempted by the
 * receiver the message wakes (the woken thread is placed on the sender's core). The simulator prices it as
 * {@code CostModel.senderSeconds} ({@link CalibratedCostModel#withSenderSeconds}).
 */
public final class SendTimes {
    private SendTimes() {
    }

    /** The mean seconds of the sends of steps {@code fromStep} and later of {@code measured}; empty without any. */
    public static OptionalDouble meanSeconds(Timeline measured, int fromStep) {
        long count = 0;
        double seconds = 0;
        for (Span s : measured.spans()) {
            if (s.step() >= fromStep && s.instruction() instanceof Send) {
                count++;
                seconds += s.seconds();
            }
        }
        return count == 0 ? OptionalDouble.empty() : OptionalDouble.of(seconds / count);
    }
}
