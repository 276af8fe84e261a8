package org.modelpar.executor.train;

import java.util.List;
import java.util.Map;
import org.modelpar.executor.ExecutionTrace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a training run did.
 *
 * @param firstStep        the first step this run executed (0, or the checkpoint's step count)
 * @param losses           mean loss of each executed step
 * @param stepSeconds      wall time of each executed step
 * @param peakMemoryBytes  measured peak per device
 * @param trace            every executed instruction
 * @param parameters       final parameters
 */
public record TrainResult(int firstStep, List<Double> losses, List<Double> stepSeconds, Map<String, Long> peakMemoryBytes,
                          ExecutionTrace trace, Map<String, INDArray> parameters) {
    public TrainResult {
        losses = List.copyOf(losses);
        stepSeconds = List.copyOf(stepSeconds);
        peakMemoryBytes = Map.copyOf(peakMemoryBytes);
        parameters = Map.copyOf(parameters);
    }

    /**
     * Median wall time of the executed steps, leaving out the first (JIT and allocation warm-up) when
     * there are at least three.
     */
    public double measuredStepSeconds() {
        List<Double> s = stepSeconds.size() >= 3 ? stepSeconds.subList(1, stepSeconds.size()) : stepSeconds;
        double[] sorted = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
