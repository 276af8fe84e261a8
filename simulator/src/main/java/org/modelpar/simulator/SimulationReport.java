package org.modelpar.simulator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.simulator.engine.EngineResult;
import org.modelpar.simulator.engine.EngineResult.OutOfMemoryEvent;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Prediction;

/**
 * The simulated step ({@code simulate --json}, docs/simulator.md#command-line).
 *
 * @param plan                         the plan simulated
 * @param stepSeconds                  one training step
 * @param samplesPerSecond             global batch / step seconds
 * @param tflopsPerDevice              executed FLOP/s per device in TFLOP/s, counting recomputation
 *                                     (as Megatron-LM reports)
 * @param modelTflopsPerDevice         model FLOP/s per device in TFLOP/s, without recomputation
 * @param bubbleFraction               mean over devices of the compute stream's idle fraction not explained by exposed communication
 * @param exposedCommunicationFraction mean over devices of the exposed-communication fraction
 * @param events                       events the engine processed
 * @param devices                      per device id, in plan order
 * @param outOfMemory                  the first out-of-memory moment, if any
 * @param criticalPath                 the instruction chain that decides the step time, in time order
 * @param timeline                     the engine's full result when tracing was asked for
 */
public record SimulationReport(PlacementPlan plan, double stepSeconds, double samplesPerSecond, double tflopsPerDevice,
                               double modelTflopsPerDevice, double bubbleFraction, double exposedCommunicationFraction,
                               long events, Map<String, DeviceReport> devices, Optional<OutOfMemoryEvent> outOfMemory,
                               List<CriticalStep> criticalPath, Optional<EngineResult> timeline) {
    public SimulationReport {
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
        criticalPath = List.copyOf(criticalPath);
    }

    /**
     * One instruction on the critical path.
     *
     * @param device       device id
     * @param instruction  {@link org.modelpar.simulator.program.Instruction#name()}
     * @param startSeconds simulated start
     * @param endSeconds   simulated end
     */
    public record CriticalStep(String device, String instruction, double startSeconds, double endSeconds) {
    }

    /** Largest peak memory over all devices. */
    public long peakMemoryBytes() {
        return devices.values().stream().mapToLong(DeviceReport::peakMemoryBytes).max().orElse(0);
    }

    /** The prediction stored in a plan file. */
    public Prediction prediction() {
        Map<String, Long> peaks = new LinkedHashMap<>();
        devices.forEach((id, d) -> peaks.put(id, d.peakMemoryBytes()));
        return new Prediction(stepSeconds, samplesPerSecond, peaks);
    }

    public boolean fits() {
        return outOfMemory.isEmpty();
    }
}
