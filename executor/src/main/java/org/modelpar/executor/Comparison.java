package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.engine.EngineResult;

/**
 * Predicted vs measured: step time, peak memory and compute-stream time per device, and the compute-stream
 * instructions (compute, free, optimizer) whose simulated and measured durations differ most. Instructions
 * are matched by device and position in the device's program, the order both the engine and the
 * interpreter run them in. Communication is left out of that list because its spans mean different things:
 * a simulated receive or all-reduce spans the transfer in flight, a measured one also the wait for the
 * peer (which the step time and the compute times already account for).
 *
 * @param predictedStepSeconds simulated step
 * @param measuredStepSeconds  measured step (median)
 * @param memory               per device, in plan order
 * @param compute              per device, seconds its compute stream was busy in the compared step
 * @param worstInstructions    compute-stream instructions, largest absolute disagreements first
 */
public record Comparison(double predictedStepSeconds, double measuredStepSeconds, Map<String, Memory> memory,
                         Map<String, Busy> compute, List<InstructionGap> worstInstructions) {
    public Comparison {
        memory = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(memory));
        compute = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(compute));
        worstInstructions = List.copyOf(worstInstructions);
    }

    /** Predicted and measured peak bytes of a device. */
    public record Memory(long predictedBytes, long measuredBytes) {
        /** (measured - predicted) / predicted in percent. */
        public double errorPercent() {
            return percent(measuredBytes, predictedBytes);
        }
    }

    /** Predicted and measured busy seconds of a device's compute stream (compute, free, optimizer). */
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
     * Compares a simulation (run with its timeline) with a measured run.
     *
     * @param step the measured step whose instructions are compared
     * @param top  how many instructions to list
     */
    public static Comparison of(SimulationReport report, ExecutionTrace trace, int step, double measuredStepSeconds,
                                Map<String, Long> measuredPeaks, int top) {
        Map<String, Memory> memory = new LinkedHashMap<>();
        report.devices().forEach((id, d) -> memory.put(id, new Memory(d.peakMemoryBytes(), measuredPeaks.getOrDefault(id, 0L))));
        List<InstructionGap> gaps = new ArrayList<>();
        Map<String, Busy> compute = new LinkedHashMap<>();
        report.timeline().ifPresent(t -> {
            gaps.addAll(gaps(t, trace, step));
            Map<String, Double> busy = new HashMap<>();
            trace.step(step).stream().filter(s -> !s.communication()).forEach(s -> busy.merge(s.device(), s.seconds(), Double::sum));
            for (int d = 0; d < t.deviceCount(); d++) {
                compute.put(t.deviceId(d), new Busy(t.busySeconds(d), busy.getOrDefault(t.deviceId(d), 0.0)));
            }
        });
        gaps.sort(Comparator.comparingDouble((InstructionGap g) -> -Math.abs(g.gapSeconds()))
                .thenComparing(InstructionGap::device).thenComparingInt(InstructionGap::index));
        return new Comparison(report.stepSeconds(), measuredStepSeconds, memory, compute,
                gaps.subList(0, Math.min(top, gaps.size())));
    }

    private static List<InstructionGap> gaps(EngineResult t, ExecutionTrace trace, int step) {
        Map<String, Map<Integer, ExecutionTrace.Span>> measured = new HashMap<>();
        for (ExecutionTrace.Span s : trace.step(step)) {
            measured.computeIfAbsent(s.device(), d -> new HashMap<>()).put(s.index(), s);
        }
        Map<String, Integer> ordinal = new HashMap<>();
        List<InstructionGap> out = new ArrayList<>();
        for (int g = 0; g < t.instructionCount(); g++) {
            String device = t.deviceId(t.instructionDevice(g));
            int index = ordinal.merge(device, 1, Integer::sum) - 1;
            ExecutionTrace.Span s = measured.getOrDefault(device, Map.of()).get(index);
            if (s != null && t.onComputeStream(g)) {
                out.add(new InstructionGap(device, index, s.name(), t.end(g) - t.start(g), s.seconds()));
            }
        }
        return out;
    }

    private static double percent(double measured, double predicted) {
        return predicted == 0 ? 0 : 100.0 * (measured - predicted) / predicted;
    }
}
