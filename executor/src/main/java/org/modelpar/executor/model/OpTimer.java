package org.modelpar.executor.model;

/** Receives the duration of every kernel call of a {@link StageModel}. */
@FunctionalInterface
public interface OpTimer {
    OpTimer NONE = (op, part, nanos) -> { };

    /** The part of an op's work a kernel call does. */
    enum Part {
        FORWARD,
        /** A whole backward, or the input-gradient part of a split one. */
        BACKWARD,
        /** The weight-gradient part of a split backward. */
        WEIGHT_GRADIENT
    }

    void record(String opId, Part part, long nanos);
}
