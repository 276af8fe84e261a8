package org.modelpar.graph.io;

import org.modelpar.graph.zoo.Activation;
import org.modelpar.graph.zoo.Architecture;
import org.modelpar.graph.zoo.AttentionShape;
import org.modelpar.graph.zoo.EncoderDecoder;
import org.modelpar.graph.zoo.Embeddings;
import org.modelpar.graph.zoo.MlpShape;
import org.modelpar.graph.zoo.OutputHead;
import org.modelpar.graph.zoo.Positions;

/**
 * T5 ({@code T5ForConditionalGeneration}): encoder and decoder stacks of {@code d_model}, attention of
 * {@code num_heads x d_kv} (not necessarily {@code d_model}), ReLU or gated-GELU MLP of {@code d_ff}
 * ({@code feed_forward_proj}), RMS layer norms, no biases, relative position buckets, output tied to the
 * shared embedding in T5 1.0 and untied in T5 1.1 / Flan-T5.
 */
final class HfT5 {
    private HfT5() {
    }

    static EncoderDecoder t5(HfConfig c) {
        int hidden = c.required("d_model");
        int layers = c.required("num_layers");
        int decoderLayers = c.size("num_decoder_layers").orElse(layers);
        c.requireFlag("is_encoder_decoder", true, true);
        String projection = c.text("feed_forward_proj").orElse("relu");
        Activation act = switch (projection) {
            case "relu" -> Activation.RELU;
            case "gated-gelu" -> Activation.GEGLU;
            default -> throw c.unsupported("feed_forward_proj", "\"" + projection + "\"");
        };
        AttentionShape attention = AttentionShape.of(c.required("num_heads"), c.required("num_heads"), c.required("d_kv"));
        int seq = c.sequence(c.size("n_positions").orElse(512), "n_positions", false);
        Architecture encoder = Architecture.decoder(layers, hidden, seq, Embeddings.of(c.required("vocab_size"), Positions.RELATIVE),
                attention, new MlpShape(c.required("d_ff"), act, false)).withHead(OutputHead.causal(c.flag("tie_word_embeddings", true)));
        return new EncoderDecoder(encoder, decoderLayers, c.count("relative_attention_num_buckets", 32));
    }
}
