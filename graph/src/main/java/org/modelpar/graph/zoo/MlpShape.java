package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.ShapeChecks.positive;

/**
 * Shape of a feed-forward block: hidden to {@code intermediate} and back.
 *
 * @param intermediate intermediate width f
 * @param activation   the activation (a gated one has three matrices)
 * @param bias         whether the projections have biases
 */
public record MlpShape(int intermediate, Activation activation, boolean bias) {
    public MlpShape {
        positive("intermediate", intermediate);
    }

    /** Parameters of this MLP on hidden size h. */
    long parameters(long h) {
        long f = intermediate;
        long weights = activation.matrices() * h * f;
        return weights + (bias ? (activation.matrices() - 1) * f + h : 0);
    }
}
