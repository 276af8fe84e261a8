package org.modelpar.simulator.plan;

import java.util.List;

/**
 * One pipeline stage. Its devices form {@code devices.size() / tensorParallel} data-parallel replicas of
 * {@code tensorParallel} devices each: device k is replica {@code k / t}, tensor rank {@code k % t}.
 *
 * @param index     position in the pipeline, 0-based
 * @param devices   cluster device ids, non-empty
 * @param ops       graph op ids, non-empty
 * @param recomputation what the stage recomputes in backward instead of stashing it
 */
public record Stage(int index, List<String> devices, List<String> ops, Recompute recomputation) {
    public Stage {
        if (recomputation == null) {
            throw new PlanException("stage " + index + " has no recompute mode");
        }
        if (index < 0) {
            throw new PlanException("stage index must be non-negative, got " + index);
        }
        if (devices == null || devices.isEmpty()) {
            throw new PlanException("stage " + index + " has no devices");
        }
        if (ops == null || ops.isEmpty()) {
            throw new PlanException("stage " + index + " has no ops");
        }
        devices = List.copyOf(devices);
        ops = List.copyOf(ops);
    }

    /** A stage that recomputes fully ({@code true}) or not at all. */
    public Stage(int index, List<String> devices, List<String> ops, boolean recompute) {
        this(index, devices, ops, Recompute.of(recompute));
    }

    /** Whether the stage recomputes its whole forward ({@link Recompute#FULL}). */
    public boolean recompute() {
        return recomputation == Recompute.FULL;
    }

    /** The same stage with another recompute mode. */
    public Stage withRecomputation(Recompute mode) {
        return new Stage(index, devices, ops, mode);
    }
}
