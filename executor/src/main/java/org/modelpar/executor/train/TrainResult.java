package org.modelpar.executor.train;

import java.util.List;
import java.util.Map;
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
 */
public record TrainResult(int firstStep, List<Double> losses, List<Double> stepSeconds, Map<String, Long> peakMemoryBytes,
                          Timeline timeline, Map<String, INDArray> parameters) {
    public TrainResult {
        losses = List.copyOf(losses);
        stepSeconds = List.copyOf(stepSeconds);
        peakMemoryBytes = Map.copyOf(peakMemoryBytes);
        parameters = Map.copyOf(parameters);
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
     * Median wall time of the steady steps: the second half of the run when it has at least four steps
     * (the JIT compiles ND4J's Java paths over the first few dozen steps, which run up to 2x slower), else
     * all steps but the first when there are three.
     */
    public double measuredStepSeconds() {
        int n0 = stepSeconds.size();
        List<Double> s = stepSeconds.subList(n0 >= 4 ? n0 / 2 : n0 == 3 ? 1 : 0, n0);
        double[] sorted = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
