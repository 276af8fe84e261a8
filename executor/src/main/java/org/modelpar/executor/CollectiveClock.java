package org.modelpar.executor;

/** How long a device's tensor-parallel collectives took ({@link TensorRing}); none without tensor parallelism. */
@FunctionalInterface
interface CollectiveClock {
    CollectiveClock NONE = () -> 0;

    /** Nanoseconds (on the run's ticker) spent in collectives since the last call. */
    long takeNanos();
}
