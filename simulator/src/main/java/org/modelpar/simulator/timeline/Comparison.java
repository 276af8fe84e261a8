package org.modelpar.simulator.timeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.program.Stream;

/**
 * Predicted vs measured: step time, peak memory and compute-stream time per device, and the compute-stream
 * instructions whose simulated and measured durations differ most. Spans are matched by device and position
 * in the device's program, the order both the engine and the executor run them in. Communication is left
 * out of that list because its spans mean different things: a simulated receive or all-reduce spans the
 * transfer in flight, a measured one also the wait for the peer (which the step time and the compute times
 * already account for).
 *
 * @param predictedStepSeconds simulated step
 * @param measuredStepSeconds  measured step
 * @param memory               per device, in the predicted side's order
 * @param compute              per device of the predicted timeline, seconds its compute stream was busy
 * @param worstInstructions    compute-stream instructions, largest absolute disagreements first
 */
public record Comparison(double predictedStepSeconds, double measuredStepSeconds, Map<String, Memory> memory,
                         Map<String, Busy> compute, List<InstructionGap> worstInstructions) {
    public Comparison {
        memory = Collections.unmodifiableMap(new LinkedHashMap<>(memory));
        compute = Collections.unmodifiableMap(new LinkedHashMap<>(compute));
        worstInstructions = List.copyOf(worstInstructions);
    }

    /**
     * One side of the comparison.
     *
     * @param timeline        one step
     * @param stepSeconds     its step time (the simulated step, or the measured median)
     * @param peakMemoryBytes peak per device id
     */
    public record Side(Timeline timeline, double stepSeconds, Map<String, Long> peakMemoryBytes) {
        public Side {
            peakMemoryBytes = Collections.unmodifiableMap(new LinkedHashMap<>(peakMemoryBytes));
        }
    }

    /** Predicted and measured peak bytes of a device. */
    public record Memory(long predictedBytes, long measuredBytes) {
        /** (measured - predicted) / predicted in percent. */
        public double errorPercent() {
            return percent(measuredBytes, predictedBytes);
        }
    }

    /** Predicted and measured busy seconds of a device's compute stream. */
    public record Busy(double predictedSeconds, double measuredSeconds) {
        /** (measured - predicted) / predicted in percent. */
        public double errorPercent() {
            return percent(measuredSeconds, predictedSeconds);
        }
    }

    /** One instruction's simulated and measured duration. */
    public record InstructionGap(String device, int index, String name, double predictedSeconds, double measuredSeconds) {
        public double gapSeconds() {
            return measuredSeconds - predictedSeconds;
        }
    }

    /** (measured - predicted) / predicted in percent. */
    public double stepErrorPercent() {
        return percent(measuredStepSeconds, predictedStepSeconds);
    }

    /**
     * Compares two steps.
     *
     * @param top how many instructions to list
     */
    public static Comparison of(Side predicted, Side measured, int top) {
        Map<String, Memory> memory = new LinkedHashMap<>();
        predicted.peakMemoryBytes().forEach((id, bytes) -> memory.put(id, new Memory(bytes, measured.peakMemoryBytes().getOrDefault(id, 0L))));
        TimelineStats p = TimelineStats.of(predicted.timeline());
        TimelineStats m = TimelineStats.of(measured.timeline());
        Map<String, Busy> compute = new LinkedHashMap<>();
        p.devices().forEach((id, t) -> compute.put(id, new Busy(t.busySeconds(),
                m.device(id).map(TimelineStats.DeviceTimes::busySeconds).orElse(0.0))));
        List<InstructionGap> gaps = gaps(predicted.timeline(), measured.timeline());
        gaps.sort(Comparator.comparingDouble((InstructionGap g) -> -Math.abs(g.gapSeconds()))
                .thenComparing(InstructionGap::device).thenComparingInt(InstructionGap::index));
        return new Comparison(predicted.stepSeconds(), measured.stepSeconds(), memory, compute,
                gaps.subList(0, Math.min(top, gaps.size())));
    }

    private static List<InstructionGap> gaps(Timeline predicted, Timeline measured) {
        Map<String, Map<Integer, Span>> byPosition = new HashMap<>();
        for (Span s : measured.spans()) {
            byPosition.computeIfAbsent(s.device(), d -> new HashMap<>()).put(s.index(), s);
        }
        List<InstructionGap> out = new ArrayList<>();
        for (Span s : predicted.spans()) {
            Span m = byPosition.getOrDefault(s.device(), Map.of()).get(s.index());
            if (m != null && s.stream() == Stream.COMPUTE) {
                out.add(new InstructionGap(s.device(), s.index(), m.name(), s.seconds(), m.seconds()));
            }
        }
        return out;
    }

    private static double percent(double measured, double predicted) {
        return predicted == 0 ? 0 : 100.0 * (measured - predicted) / predicted;
    }
}
