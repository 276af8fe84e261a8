package org.modelpar.simulator.plan;

import java.util.List;

/**
 * One pipeline stage. Its devices form {@code devices.size() / tensorParallel} data-parallel replicas of
 * {@code tensorParallel} devices each: device k is replica {@code k / t}, tensor rank {@code k % t}.
 *
 * @param index     position in the pipeline, 0-based
 * @param devices   cluster device ids, non-empty
 * @param ops       graph op ids, non-empty
 * @param recompute whether the stage keeps only its inputs and recomputes activations in backward
 */
public record Stage(int index, List<String> devices, List<String> ops, boolean recompute) {
    public Stage {
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
}
