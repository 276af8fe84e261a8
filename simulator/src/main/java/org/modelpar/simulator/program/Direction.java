package org.modelpar.simulator.program;

/**
 * A pass of a stage over one micro-batch: forward, the whole backward, or (schedules that split the backward,
 * {@link org.modelpar.simulator.plan.Schedule#splitsBackward()}) its input-gradient part, which hands the gradient
 * on to the previous stage, and its weight-gradient part (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR
 * 2024: B and W).
 */
public enum Direction {
    FORWARD("F"),
    BACKWARD("B"),
    INPUT_GRADIENT("Bi"),
    WEIGHT_GRADIENT("W");

    private final String shortName;

    Direction(String shortName) {
        this.shortName = shortName;
    }

    public String shortName() {
        return shortName;
    }

    /** Whether the pass receives the output gradient and sends the input gradient (backward or its input part). */
    public boolean handsOnGradients() {
        return this == BACKWARD || this == INPUT_GRADIENT;
    }

    /** Whether the pass is the last to need the micro-batch's stash (backward or its weight part). */
    public boolean releasesStash() {
        return this == BACKWARD || this == WEIGHT_GRADIENT;
    }
}
