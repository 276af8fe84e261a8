package org.modelpar.executor.kernel;

import java.util.Arrays;

/**
 * A parameter of an op: its full name, shape and initialisation, and the part of it one device holds.
 *
 * @param name   {@code opId.param}, e.g. {@code block0.qkv.weight}; a tied parameter keeps its owner's name
 * @param shape  dimensions of the whole parameter
 * @param init   how it is initialised
 * @param stdDev standard deviation of a {@link Init#NORMAL} initialisation
 * @param shard  the part a tensor-parallel rank holds ({@link Shard#WHOLE} without tensor parallelism)
 */
public record ParameterSpec(String name, long[] shape, Init init, double stdDev, Shard shard) {
    public ParameterSpec {
        shape = shape.clone();
    }

    /** A parameter held whole. */
    public ParameterSpec(String name, long[] shape, Init init, double stdDev) {
        this(name, shape, init, stdDev, Shard.WHOLE);
    }

    /** Initialisation kinds. */
    public enum Init { NORMAL, ZEROS, ONES }

    /** The same parameter, of which a device holds {@code part}. */
    public ParameterSpec withShard(Shard part) {
        return new ParameterSpec(name, shape, init, stdDev, part);
    }

    /** Number of values of the whole parameter. */
    public long length() {
        return Arrays.stream(shape).reduce(1L, Math::multiplyExact);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Dimensions of the part a device holds. */
    public long[] localShape() {
        return shard.localShape(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterSpec p && p.name.equals(name) && Arrays.equals(p.shape, shape)
                && p.init == init && Double.compare(p.stdDev, stdDev) == 0 && p.shard.equals(shard);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + (shard.whole() ? "" : " part " + shard.index() + "/" + shard.parts());
    }
}
