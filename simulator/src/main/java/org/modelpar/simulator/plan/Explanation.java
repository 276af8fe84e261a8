package org.modelpar.simulator.plan;

import java.util.List;

/**
 * Why a plan was chosen: human-readable lines (memory headroom per device, binding constraints,
 * bottleneck stage, critical path) and the runner-up configurations.
 *
 * @param lines     explanation lines, in the order they are printed
 * @param runnerUps the next-best configurations and why they lost
 */
public record Explanation(List<String> lines, List<RunnerUp> runnerUps) {
    /**
     * A configuration that lost.
     *
     * @param configuration e.g. {@code pp=4 tp=8 dp=4 mb=1 m=32 1f1b}
     * @param stepSeconds   its predicted step time (NaN when it does not fit)
     * @param reason        why it lost: slower by x%, or does not fit by y GiB on device z
     */
    public record RunnerUp(String configuration, double stepSeconds, String reason) {
    }

    public Explanation {
        lines = List.copyOf(lines);
        runnerUps = List.copyOf(runnerUps);
    }

    public static Explanation none() {
        return new Explanation(List.of(), List.of());
    }
}
