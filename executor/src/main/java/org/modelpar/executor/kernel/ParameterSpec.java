package org.modelpar.executor.kernel;

import java.util.Arrays;

/**
 * A parameter of an op: its full name, shape and initialisation.
 *
 * @param name   {@code opId.param}, e.g. {@code block0.qkv.weight}; a tied parameter keeps its owner's name
 * @param shape  dimensions
 * @param init   how it is initialised
 * @param stdDev standard deviation of a {@link Init#NORMAL} initialisation
 */
public record ParameterSpec(String name, long[] shape, Init init, double stdDev) {
    public ParameterSpec {
        shape = shape.clone();
    }

    /** Initialisation kinds. */
    public enum Init { NORMAL, ZEROS, ONES }

    /** Number of values. */
    public long length() {
        return Arrays.stream(shape).reduce(1L, Math::multiplyExact);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.init == init && Double.compare(p.stdDev, stdDev) == 0;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
