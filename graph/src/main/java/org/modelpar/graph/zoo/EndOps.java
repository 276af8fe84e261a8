package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.Locale;
import java.util.Map;

/** The ends of a transformer: the input embedding and the output head with the loss. */
final class EndOps {
    private final GraphBuilder g;
    private final LayerOps ops;
    private final Architecture a;
    private final long s;
    private final long h;

    EndOps(LayerOps ops, Architecture architecture) {
        this.g = ops.g;
        this.ops = ops;
        this.a = architecture;
        this.s = ops.s;
        this.h = ops.h;
    }

    /** The word embedding (with learned positions, token types and a norm as the architecture says). */
    String embedding(String id, String layer) {
        Embeddings e = a.embeddings();
        long params = ((long) e.vocab() + e.learnedPositions() + e.tokenTypes()) * h + (e.norm() ? Norm.LAYER.parameters(h) : 0);
        Map<String, String> attributes = attrs("vocab", e.vocab(), "hidden", h, "seq", s);
        if (e.tokenTypes() > 0) {
            attributes.put("typeVocab", String.valueOf(e.tokenTypes()));
        }
        if (e.positions() != Positions.LEARNED) {
            attributes.put("positions", e.positions().name().toLowerCase(Locale.ROOT));
        } else if (e.learnedPositions() != s) {
            attributes.put("positions", String.valueOf(e.learnedPositions()));
        }
        g.op(id, "embedding", layer, 0, params, s * h, 0, attributes);
        return id;
    }

    /** Final norm (or BERT's masked-LM transform), logits over the vocabulary and the cross-entropy loss. */
    void head(String input) {
        OutputHead out = a.head();
        long vocab = a.embeddings().vocab();
        String x = input;
        if (out.maskedLm()) {
            x = ops.linear("mlm.dense", "head", x, h, h, true);
            g.op("mlm.gelu", "gelu", "head", 0, 0, s * h, 0, attrs("width", h, "seq", s));
            g.edge(x, "mlm.gelu");
            x = ops.norm("mlm.ln", "head", "mlm.gelu");
        } else if (out.finalNorm()) {
            x = ops.norm("final.ln", "head", x);
        }
        Map<String, String> attributes = attrs("hidden", h, "vocab", vocab, "seq", s);
        if (out.tied()) {
            attributes.put("tiedTo", "embed");
        }
        long params = (out.tied() ? 0 : vocab * h) + (out.bias() ? vocab : 0);
        g.op("logits", "logits", "head", 2.0 * s * h * vocab, params, s * vocab, 0, attributes);
        g.edge(x, "logits");
        g.op("loss", "cross-entropy", "head", 0, 0, 1, s * vocab, attrs("vocab", vocab, "seq", s));
        g.edge("logits", "loss");
    }
}
