package org.modelpar.graph.io;

import java.util.List;
import java.util.function.Function;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.zoo.ModelShape;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;

/**
 * Reads a Hugging Face {@code config.json} into the graph of the model its {@code model_type} names, built
 * tensor for tensor as the {@code transformers} implementation does ({@link HfArchitectures}), so the graph's
 * parameter count is the model's {@code sum(p.numel() for p in model.parameters())}. An unknown
 * {@code model_type}, or a field that changes the shape and that the reader does not build, is an error. The
 * sequence length is {@link ImportOptions#sequenceLength()}, else the model's limit capped at
 * {@value HfConfig#DEFAULT_MAX_SEQ}. The model trains with dropout ({@link ComputationGraph#dropout()}) when a dropout
 * probability the config gives in the model's body is above 0 (Llama's, Mistral's and Qwen's configs say
 * {@code attention_dropout: 0.0}); a config that gives none trains as its class's defaults say
 * ({@link HfArchitectures#dropoutByDefault}).
 */
final class HfConfigReader {
    /** The dropout probabilities of the model's body in the configs of {@code transformers} (not of task heads). */
    private static final List<String> DROPOUTS = List.of("attention_dropout", "hidden_dropout",
            "activation_dropout", "dropout", "dropout_rate", "attn_pdrop", "resid_pdrop", "embd_pdrop",
            "hidden_dropout_prob", "attention_probs_dropout_prob");

    private final String label;
    private final ImportOptions options;

    HfConfigReader(String label, ImportOptions options) {
        this.label = label;
        this.options = options;
    }

    ComputationGraph read(String text, String defaultName) {
        try {
            return read(Json.parse(text, label).requireObject(), defaultName);
        } catch (ProfileException e) {
            throw new GraphException(e.getMessage(), e);
        }
    }

    private ComputationGraph read(Json root, String defaultName) {
        String supported = String.join(", ", HfArchitectures.supported());
        Json typeField = root.field("model_type");
        if (!typeField.present()) {
            throw typeField.error("missing (supported: " + supported + ")");
        }
        String type = typeField.string();
        HfConfig config = new HfConfig(root, type, options.sequenceLength());
        Function<HfConfig, ModelShape> builder = HfArchitectures.of(type).orElseThrow(() -> typeField.error("'" + type
                + "' is not a supported architecture (supported: " + supported + ")"));
        ModelShape a;
        try {
            a = builder.apply(config);
        } catch (GraphException e) {
            throw e.getMessage().startsWith(label) ? e : new GraphException(label + ": " + e.getMessage(), e);
        }
        config.rejectUnreadShapeFields();
        if (a.opCountBound() > options.maxOps()) {
            throw new GraphException(label + ": the model has up to " + a.opCountBound()
                    + " ops, above the limit of " + options.maxOps() + " ops");
        }
        String name = root.field("_name_or_path").optionalString().filter(n -> !n.isBlank()).orElse(defaultName);
        try {
            return a.build(name).withDropout(dropout(root, type));
        } catch (ArithmeticException e) {
            throw new GraphException(label + ": model sizes overflow 64-bit byte counts", e);
        }
    }

    /** Whether any dropout probability the config gives is above 0; the type's default when it gives none. */
    private static boolean dropout(Json root, String type) {
        List<Double> given = DROPOUTS.stream().map(root::field).filter(Json::present).map(Json::nonNegative).toList();
        return given.isEmpty() ? HfArchitectures.dropoutByDefault(type) : given.stream().anyMatch(p -> p > 0);
    }
}
