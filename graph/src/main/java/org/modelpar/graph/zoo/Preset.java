package org.modelpar.graph.zoo;

import java.util.function.Supplier;
import org.modelpar.graph.ComputationGraph;

/**
 * A named built-in model.
 *
 * @param name        the name {@code --model} takes
 * @param description one line for {@code modelpar models}
 * @param builder     builds the graph (named {@code name})
 */
public record Preset(String name, String description, Supplier<ComputationGraph> builder) {
    public ComputationGraph build() {
        return builder.get();
    }
}
