package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;

/**
 * How long a worker that waited for a message took to resume in a measured run, beyond what the simulation prices the
 * message's transfer at: a worker waits for a message parked, and the message wakes it; on a host whose cores are busy
 * the woken thread waits for one. Four threads of the small gpt's four-stage pipeline on two cores resumed 0.48-0.59 ms
 * after the send began (each device's median step), against 20 us of the link (a median 0.2 ms, a mean 0.8 ms and a
 * p90 of 2.5 ms after the message was handed over), and their hand-offs on the critical path made the step 20-45% longer
 * than predicted; two threads on two cores resumed 0.14-0.16 ms after. The simulator prices it as
 * {@code CostModel.wakeSeconds} of the receiving device ({@link CalibratedCostModel#withWakeSeconds}).
 */
public final class WakeTimes {
    private WakeTimes() {
    }

    /**
     * Per device that waited for a message in steps {@code fromStep} and later of {@code measured}: the median over those
     * steps of the step's mean wait, each wait being from the send's start to the receive's end less {@code priced} (what
     * the simulation charges that receive's transfer), at least 0. A receive waited when it began before its send ended
     * (the message was not there yet). The median step, as the measured step is the median one: a step a collection
     * paused is left out of both.
     */
    public static Map<String, Double> medianStepSecondsByDevice(Timeline measured, int fromStep, ToDoubleFunction<Span> priced) {
        Map<String, List<Double>> stepMeans = new TreeMap<>();
        for (List<Span> step : measured.spansByStep(fromStep,
                s -> s.instruction() instanceof Send || s.instruction() instanceof Recv).values()) {
            Map<Channel, Span> sends = new HashMap<>();
            step.stream().filter(s -> s.instruction() instanceof Send).forEach(s -> sends.put(Channel.of(s), s));
            Map<String, double[]> sums = new TreeMap<>();
            for (Span r : step) {
                Span s = r.instruction() instanceof Recv ? sends.get(Channel.of(r)) : null;
                if (s != null && r.startSeconds() < s.endSeconds()) {
                    double[] sum = sums.computeIfAbsent(r.device(), d -> new double[2]);
                    sum[0] += Math.max(0, r.endSeconds() - s.startSeconds() - priced.applyAsDouble(r));
                    sum[1]++;
                }
            }
            sums.forEach((device, sum) -> stepMeans.computeIfAbsent(device, d -> new ArrayList<>()).add(sum[0] / sum[1]));
        }
        Map<String, Double> medians = new TreeMap<>();
        stepMeans.forEach((device, means) -> medians.put(device,
                SteadyStep.typical(means.stream().mapToDouble(Double::doubleValue).toArray())));
        return medians;
    }

    /** What pairs a send with its receive within one step: the two devices, the stages, the micro-batch and its samples. */
    private record Channel(String from, String to, int fromStage, int toStage, int microBatch, Payload payload, int firstSample) {
        static Channel of(Span span) {
            if (span.instruction() instanceof Send s) {
                return new Channel(span.device(), s.peer(), s.stage(), s.toStage(), s.microBatch(),
                        s.payload(), s.firstSample());
            }
            Recv r = (Recv) span.instruction();
            return new Channel(r.peer(), span.device(), r.fromStage(), r.stage(), r.microBatch(),
                    r.payload(), r.firstSample());
        }
    }
}
