package org.modelpar.executor.model;

import java.util.Random;
import org.modelpar.executor.kernel.ParameterSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deterministic parameter initialisation: a parameter's values depend only on the seed and its name,
 * never on the device or stage that holds it, so every placement of a model starts from the same weights
 * (and a tied copy equals its original).
 */
public final class Initializer {
    private Initializer() {
    }

    /** The initial values of the part of a parameter a device holds (the whole one's values, sliced). */
    public static INDArray initialise(ParameterSpec spec, long seed, DataType type) {
        long n = spec.length();
        double[] values = new double[Math.toIntExact(n)];
        switch (spec.init()) {
            case ONES -> java.util.Arrays.fill(values, 1.0);
            case ZEROS -> { }
            case NORMAL -> {
                Random random = new Random(seed * 0x9E3779B97F4A7C15L + spec.name().hashCode());
                for (int i = 0; i < values.length; i++) {
                    values[i] = random.nextGaussian() * spec.stdDev();
                }
            }
            default -> throw new IllegalStateException("unknown init " + spec.init());
        }
        return spec.shard().take(Nd4j.create(values, spec.shape(), DataType.DOUBLE)).castTo(type);
    }
}
