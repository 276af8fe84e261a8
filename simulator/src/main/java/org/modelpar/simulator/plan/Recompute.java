package org.modelpar.simulator.plan;

import java.util.Arrays;

/**
 * What a stage recomputes in its backward pass instead of stashing it (Korthikanti et al., "Reducing
 * Activation Recomputation in Large Transformer Models", 2022, section 5).
 */
public enum Recompute {
    /** Every activation the backward needs is stashed. */
    NONE("none"),
    /**
     * Only the attention core (softmax output, its dropout mask and dropout output) is dropped and rebuilt
     * by re-running the attention-scores, softmax and attention-context forwards in the backward.
     */
    SELECTIVE("selective"),
    /**
     * Only each transformer layer's input is stashed; the backward re-runs the layer's forward (one layer
     * at a time). A stage of a graph without attention layers re-runs its whole forward.
     */
    FULL("full");

    private final String jsonName;

    Recompute(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in files and on the command line. */
    public String jsonName() {
        return jsonName;
    }

    /** {@code true} is {@link #FULL}, {@code false} {@link #NONE} (plan files before selective recomputation). */
    public static Recompute of(boolean recompute) {
        return recompute ? FULL : NONE;
    }

    public static Recompute parse(String name) {
        return Arrays.stream(values()).filter(r -> r.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new PlanException("recompute must be one of none, selective, full, got '" + name + "'"));
    }
}
