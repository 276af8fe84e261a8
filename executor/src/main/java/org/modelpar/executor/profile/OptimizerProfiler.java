package org.modelpar.executor.profile;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.executor.model.Adam;
import org.modelpar.executor.model.Optimizer;
import org.modelpar.executor.model.Sgd;
import org.modelpar.simulator.plan.OptimizerKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seconds per parameter of one step of each optimizer the executor runs, on one fp32 tensor of
 * {@link #PARAMETERS} parameters: the device profile's {@code optimizerSecondsPerParameter}. The gradient is
 * restored before every step (SGD scales it in place; left alone it would sink into denormal numbers), and
 * the restore's own median time is subtracted. A fused optimizer kernel on a CPU worker reaches a fraction of
 * a plain copy's bandwidth (Adam's square root and division per element), which the memory-bound estimate
 * would miss by several times.
 */
final class OptimizerProfiler {
    static final long PARAMETERS = 1 << 20;

    private OptimizerProfiler() {
    }

    /** Seconds per parameter, by optimizer name in lower case. */
    static Map<String, Double> secondsPerParameter(Timing timing) {
        INDArray w = Nd4j.rand(DataType.FLOAT, 1, PARAMETERS).subi(0.5);
        INDArray initial = Nd4j.rand(DataType.FLOAT, 1, PARAMETERS).subi(0.5);
        INDArray g = initial.dup();
        Map<String, INDArray> params = Map.of("w", w);
        Map<String, INDArray> grads = Map.of("w", g);
        double restore = timing.typicalSeconds(() -> g.assign(initial));
        Map<String, Double> out = new TreeMap<>();
        for (OptimizerKind kind : OptimizerKind.values()) {
            Optimizer optimizer = kind == OptimizerKind.ADAM ? new Adam(1e-3) : new Sgd(1e-3);
            double seconds = timing.typicalSeconds(() -> {
                g.assign(initial);
                optimizer.step(params, grads);
            });
            // two medians of noisy timings: never let the difference fall to nothing or below
            out.put(kind.name().toLowerCase(Locale.ROOT), Math.max(seconds - restore, seconds / 10) / PARAMETERS);
        }
        return out;
    }
}
