package org.modelpar.executor.profile;

import java.util.Map;
import java.util.TreeMap;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * How long each worker's sends held it in a measured run: a worker runs each {@link Send} in program order on its own
 * thread, so the next instruction waits for the hand-over, which on a shared host includes being preempted by the
 * receiver the message wakes (the woken thread is placed on the sender's core). That depends on the worker: the small
 * mlp's last stage of three on two cores held 0.47 ms a gradient send (its receiver parked, waiting for it), the
 * first two 0.03-0.05 ms a send (their receivers mostly busy). The simulator prices it as
 * {@code CostModel.senderSeconds} of the sending device ({@link CalibratedCostModel#withSenderSeconds}).
 */
public final class SendTimes {
    private SendTimes() {
    }

    /** Per device that sent, the mean seconds of its sends of steps {@code fromStep} and later of {@code measured}. */
    public static Map<String, Double> meanSecondsByDevice(Timeline measured, int fromStep) {
        Map<String, double[]> sums = new TreeMap<>();
        for (Span s : measured.spans()) {
            if (s.step() >= fromStep && s.instruction() instanceof Send) {
                double[] sum = sums.computeIfAbsent(s.device(), d -> new double[2]);
                sum[0] += s.seconds();
                sum[1]++;
            }
        }
        Map<String, Double> means = new TreeMap<>();
        sums.forEach((device, sum) -> means.put(device, sum[0] / sum[1]));
        return means;
    }
}
