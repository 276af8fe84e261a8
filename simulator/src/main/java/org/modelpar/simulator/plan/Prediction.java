package org.modelpar.simulator.plan;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the simulator predicts for a plan, stored in the plan file.
 *
 * @param stepSeconds      one training step
 * @param samplesPerSecond global batch / step seconds
 * @param peakMemoryBytes  predicted peak memory per device id
 */
public record Prediction(double stepSeconds, double samplesPerSecond, Map<String, Long> peakMemoryBytes) {
    public Prediction {
        if (!Double.isFinite(stepSeconds) || stepSeconds < 0) {
            throw new PlanException("predicted.stepSeconds must be finite and non-negative, got " + stepSeconds);
        }
        peakMemoryBytes = Collections.unmodifiableMap(new TreeMap<>(peakMemoryBytes));
    }
}
