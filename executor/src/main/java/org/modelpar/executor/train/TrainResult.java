package org.modelpar.executor.train;

import java.util.List;
import java.util.Map;
import org.modelpar.simulator.timeline.SteadyStep;
import org.modelpar.simulator.timeline.Timeline;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a training run did.
 *
 * @param firstStep        the first step this run executed (0, or the checkpoint's step count)
 * @param losses           mean loss of each executed step
 * @param stepSeconds      wall time of each executed step
 * @param peakMemoryBytes  measured peak per device
 * @param timeline         every executed instruction, and memory samples
 * @param parameters       final parameters
 * @param warmUpSeconds    wall time of each warm-up step before the run ({@link WarmUp}), none without
 */
public record TrainResult(int firstStep, List<Double> losses, List<Double> stepSeconds, Map<String, Long> peakMemoryBytes,
                          Timeline timeline, Map<String, INDArray> parameters, List<Double> warmUpSeconds) {
    public TrainResult {
        losses = List.copyOf(losses);
        stepSeconds = List.copyOf(stepSeconds);
        peakMemoryBytes = Map.copyOf(peakMemoryBytes);
        parameters = Map.copyOf(parameters);
        warmUpSeconds = List.copyOf(warmUpSeconds);
    }

    /** A run without warm-up steps. */
    public TrainResult(int firstStep, List<Double> losses, List<Double> stepSeconds, Map<String, Long> peakMemoryBytes,
                       Timeline timeline, Map<String, INDArray> parameters) {
        this(firstStep, losses, stepSeconds, peakMemoryBytes, timeline, parameters, List.of());
    }

    /**
     * SHA-256 (hex) of the final parameters: names in order, each value's bits in its dtype. Equal digests
     * mean bit-identical parameters, which is how a resumed run is checked against an uninterrupted one.
     */
    public String parameterSha256() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, INDArray> e : new java.util.TreeMap<>(parameters).entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (double v : e.getValue().dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble()) {
                    long bits = Double.doubleToLongBits(v);
                    for (int i = 0; i < 8; i++) {
                        md.update((byte) (bits >>> (8 * i)));
                    }
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    /**
     * The steady measured step of this run's wall times per step, leaving out the steps a garbage collection paused
     * ({@link SteadyStep}: one statistic everywhere).
     */
    public double measuredStepSeconds() {
        return SteadyStep.seconds(stepSeconds, firstStep, timeline.pausedSteps());
    }

    /** How many of the steady steps a garbage collection paused (left out of {@link #measuredStepSeconds()}, unless all were). */
    public int pausedSteadySteps() {
        int first = firstStep + SteadyStep.firstSteady(stepSeconds.size());
        return (int) timeline.pausedSteps().stream().filter(s -> s >= first && s < firstStep + stepSeconds.size()).count();
    }

    /** The run order position (in {@link #stepSeconds()}) of the step that stands for {@link #measuredStepSeconds()}. */
    public int medianStepPosition() {
        return SteadyStep.medianStep(stepSeconds, firstStep, timeline.pausedSteps());
    }
}
