package org.modelpar.executor;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dynamic loss scaling for fp16 training (Micikevicius et al., "Mixed Precision Training", ICLR 2018,
 * section 3.2, with the defaults of PyTorch's {@code GradScaler}): the backward pass starts from the loss
 * times the scale, so small gradients stay above fp16's smallest values; the optimizer step divides it out.
 * When a gradient of any device overflowed (all devices agree), the step is skipped and the scale halves;
 * after {@link #GROWTH_INTERVAL} steps without overflow it doubles. bf16 and fp32 need none ({@link #none()}).
 */
final class LossScale {
    static final double INITIAL = 65536;
    static final int GROWTH_INTERVAL = 2000;
    private static final String SCALE = "lossScale/scale";
    private static final String GOOD = "lossScale/goodSteps";
    private final boolean dynamic;
    private double scale;
    private int goodSteps;

    private LossScale(boolean dynamic, double scale) {
        this.dynamic = dynamic;
        this.scale = scale;
    }

    /** Scale 1, never changed. */
    static LossScale none() {
        return new LossScale(false, 1);
    }

    /** Dynamic scaling from {@link #INITIAL}. */
    static LossScale dynamic() {
        return new LossScale(true, INITIAL);
    }

    boolean dynamicScaling() {
        return dynamic;
    }

    double value() {
        return scale;
    }

    /** After a step: halve on overflow (the step was skipped), double after {@link #GROWTH_INTERVAL} good steps. */
    void update(boolean overflow) {
        if (!dynamic) {
            return;
        }
        if (overflow) {
            scale /= 2;
            goodSteps = 0;
        } else if (++goodSteps == GROWTH_INTERVAL) {
            scale *= 2;
            goodSteps = 0;
        }
    }

    /** The state a checkpoint keeps (empty without dynamic scaling). */
    Map<String, INDArray> state() {
        return dynamic ? Map.of(SCALE, Nd4j.scalar(DataType.DOUBLE, scale).reshape(1, 1),
                GOOD, Nd4j.scalar(DataType.DOUBLE, (double) goodSteps).reshape(1, 1)) : Map.of();
    }

    /** Restores {@link #state()}; absent entries leave it as it is. */
    void restore(Map<String, INDArray> state) {
        if (dynamic && state.containsKey(SCALE)) {
            scale = state.get(SCALE).getDouble(0);
            goodSteps = (int) state.get(GOOD).getDouble(0);
        }
    }
}
