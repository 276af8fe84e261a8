package org.modelpar.simulator.cost;

import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.Precision;

/**
 * Bytes per parameter held for training, by precision and optimizer (Rajbhandari et al., "ZeRO: memory
 * optimizations toward training trillion parameter models", SC 2020, section 3.1):
 * <ul>
 *   <li>mixed precision (bf16/fp16): 2 bytes weights + 2 bytes gradients (4 with fp32 gradient
 *       accumulation) + fp32 master weights 4 (+ Adam moments 4 + 4) = 16 bytes with Adam (18 with
 *       fp32 gradients), 8 with SGD;</li>
 *   <li>fp32: 4 weights + 4 gradients (+ Adam moments 4 + 4) = 16 with Adam, 8 with SGD (momentum-free).</li>
 * </ul>
 *
 * @param parameters bytes of the weights the device computes with
 * @param gradients  bytes of the gradients
 * @param optimizer  bytes of optimizer state (master weights and moments)
 */
public record StateBytes(int parameters, int gradients, int optimizer) {
    /** The rule with gradients in compute precision. */
    public static StateBytes of(Precision precision, OptimizerKind optimizer) {
        return of(precision, optimizer, false);
    }

    /** The rule; {@code fp32Gradients} keeps mixed-precision gradients in fp32 (accumulation). */
    public static StateBytes of(Precision precision, OptimizerKind optimizer, boolean fp32Gradients) {
        int weights = precision.computeBytes();
        int grads = fp32Gradients ? 4 : precision.computeBytes();
        int master = precision.mixed() ? 4 : 0;
        int moments = optimizer == OptimizerKind.ADAM ? 8 : 0;
        return new StateBytes(weights, grads, master + moments);
    }

    public int total() {
        return parameters + gradients + optimizer;
    }
}
