package org.modelpar.graph.zoo;

import java.util.Optional;
import java.util.function.Supplier;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * A named built-in model.
 *
 * @param name        the name {@code --model} takes
 * @param description one line for {@code modelpar models}
 * @param builder     builds the graph (named {@code name})
 * @param shape       the transformer shape, for presets whose sequence length can change
 * @param dropout     whether the model trains with dropout ({@link ComputationGraph#dropout()})
 */
public record Preset(String name, String description, Supplier<ComputationGraph> builder, Optional<ModelShape> shape,
                     boolean dropout) {
    public ComputationGraph build() {
        return builder.get().withDropout(dropout);
    }

    /** The graph trained on sequences of {@code tokens} tokens; only transformer presets have a sequence length. */
    public ComputationGraph build(int tokens) {
        ModelShape s = shape.orElseThrow(() -> new GraphException("model '" + name
                + "' has no sequence length (--seq-len applies to transformers)"));
        try {
            return s.withSeq(tokens).build(name).withDropout(dropout);
        } catch (GraphException e) {
            throw new GraphException("model '" + name + "': " + e.getMessage(), e);
        }
    }
}
