package org.modelpar.graph.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Function;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.zoo.ModelShape;

/**
 * Reads a Hugging Face {@code config.json} into the graph of the model its {@code model_type} names, built
 * tensor for tensor as the {@code transformers} implementation does ({@link HfArchitectures}), so the graph's
 * parameter count is the model's {@code sum(p.numel() for p in model.parameters())}. An unknown
 * {@code model_type}, or a field that changes the shape and that the reader does not build, is an error. The
 * sequence length is {@link ImportOptions#sequenceLength()}, else the model's limit capped at
 * {@value HfConfig#DEFAULT_MAX_SEQ}.
 */
final class HfConfigReader {
    private final JsonFields json;
    private final ImportOptions options;

    HfConfigReader(String label, ImportOptions options) {
        this.json = new JsonFields(label);
        this.options = options;
    }

    ComputationGraph read(String text, String defaultName) {
        JsonNode root = json.object(json.parse(text), "(top level)");
        String type = json.text(json.optional(root, "model_type").orElseThrow(() -> json.error("model_type",
                "missing (supported: " + String.join(", ", HfArchitectures.supported()) + ")")), "model_type");
        HfConfig config = new HfConfig(json, root, type, options.sequenceLength());
        Function<HfConfig, ModelShape> builder = HfArchitectures.of(type).orElseThrow(() -> json.error("model_type", "'" + type
                + "' is not a supported architecture (supported: " + String.join(", ", HfArchitectures.supported()) + ")"));
        ModelShape a;
        try {
            a = builder.apply(config);
        } catch (GraphException e) {
            throw e.getMessage().startsWith(json.label()) ? e : new GraphException(json.label() + ": " + e.getMessage(), e);
        }
        config.rejectUnreadShapeFields();
        if (a.opCountBound() > options.maxOps()) {
            throw new GraphException(json.label() + ": the model has up to " + a.opCountBound()
                    + " ops, above the limit of " + options.maxOps() + " ops");
        }
        String name = json.optional(root, "_name_or_path").map(v -> json.text(v, "_name_or_path"))
                .filter(n -> !n.isBlank()).orElse(defaultName);
        try {
            return a.build(name);
        } catch (ArithmeticException e) {
            throw new GraphException(json.label() + ": model sizes overflow 64-bit byte counts", e);
        }
    }
}
