package org.modelpar.executor.model;

/** Receives the duration of every kernel call of a {@link StageModel}. */
@FunctionalInterface
public interface OpTimer {
    OpTimer NONE = (op, backward, nanos) -> { };

    void record(String opId, boolean backward, long nanos);
}
