package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.TransformerConfig.Style;

/**
 * Builds a transformer graph with the per-layer breakdown of Megatron-LM (Narayanan et al., "Efficient
 * Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", SC'21): per layer layernorm, QKV
 * projection, attention scores, softmax, attention context, output projection, residual add, layernorm,
 * MLP up, GeLU, MLP down, residual add; then final layernorm, logits, loss. For a GPT this gives exactly the
 * paper's parameter count {@code 12 l h^2 (1 + 13/(12h) + (V+s)/(12 l h)) + 2h} and forward+backward FLOPs
 * {@code 72 s l h^2 (1 + s/(6h) + V/(12 l h))} per sample.
 */
public final class Transformer {
    private final TransformerConfig c;
    private final GraphBuilder g = new GraphBuilder();
    private final long s;
    private final long h;

    private Transformer(TransformerConfig config) {
        this.c = config;
        this.s = config.seq();
        this.h = config.hidden();
    }

    /** The graph of a transformer named {@code name}. */
    public static ComputationGraph build(String name, TransformerConfig config) {
        Transformer t = new Transformer(config);
        String last = t.embedding();
        for (int i = 0; i < config.layers(); i++) {
            last = config.style() == Style.BERT ? t.postNormBlock(i, last) : t.preNormBlock(i, last);
        }
        t.head(last);
        return t.g.build(name);
    }

    private boolean bias() {
        return c.style() != Style.LLAMA;
    }

    private String embedding() {
        long positions = c.style() == Style.LLAMA ? 0 : s;
        long params = (c.vocab() + positions) * h;
        Map<String, String> a = attrs("vocab", c.vocab(), "hidden", h, "seq", s);
        if (c.style() == Style.BERT) {
            params += 2 * h + 2 * h; // two token-type embeddings + the embedding layernorm
            a.put("typeVocab", "2");
        }
        g.op("embed", "embedding", "embedding", 0, params, s * h, 0, a);
        return "embed";
    }

    private String norm(String id, String layer, String input) {
        boolean rms = c.style() == Style.LLAMA;
        g.op(id, rms ? "rmsnorm" : "layernorm", layer, 0, rms ? h : 2 * h, s * h, 0, attrs("hidden", h, "seq", s));
        g.edge(input, id);
        return id;
    }

    private String linear(String id, String layer, String input, long in, long out, boolean bias) {
        g.op(id, "linear", layer, 2.0 * s * in * out, in * out + (bias ? out : 0), s * out, 0,
                attrs("in", in, "out", out, "tokens", s));
        g.edge(input, id);
        return id;
    }

    private String add(String id, String layer, String a, String b) {
        g.op(id, "residual-add", layer, 0, 0, s * h, 0, attrs("hidden", h, "seq", s));
        g.edge(a, id);
        g.edge(b, id);
        return id;
    }

    /** Attention from {@code input} to the output projection; returns the projection's op id. */
    private String attention(String p, String layer, String input) {
        long kvWidth = (long) c.kvHeads() * c.headDim();
        String qkv = linear(p + "qkv", layer, input, h, h + 2 * kvWidth, bias());
        long heads = c.heads();
        Map<String, String> shape = attrs("heads", heads, "seq", s, "headDim", c.headDim());
        if (c.kvHeads() != c.heads()) {
            shape.put("kvHeads", String.valueOf(c.kvHeads()));
        }
        g.op(p + "scores", "attention-scores", layer, 2.0 * s * s * h, 0, heads * s * s, 0, shape);
        g.edge(qkv, p + "scores", GraphBuilder.FP32 * s * (h + kvWidth));
        g.op(p + "softmax", "softmax", layer, 0, 0, heads * s * s, 0, attrs("heads", heads, "seq", s));
        g.edge(p + "scores", p + "softmax");
        g.op(p + "context", "attention-context", layer, 2.0 * s * s * h, 0, s * h, 0, shape);
        g.edge(p + "softmax", p + "context");
        g.edge(qkv, p + "context", GraphBuilder.FP32 * s * kvWidth);
        return linear(p + "proj", layer, p + "context", h, h, bias());
    }

    /** The MLP from {@code input}; returns the down projection's op id. */
    private String mlp(String p, String layer, String input) {
        long ffn = c.ffn();
        if (c.style() == Style.LLAMA) {
            g.op(p + "swiglu", "swiglu", layer, 2.0 * s * h * 2 * ffn, 2 * h * ffn, s * ffn, 2 * s * ffn,
                    attrs("in", h, "intermediate", ffn, "tokens", s));
            g.edge(input, p + "swiglu");
            return linear(p + "fc2", layer, p + "swiglu", ffn, h, false);
        }
        String up = linear(p + "fc1", layer, input, h, ffn, true);
        g.op(p + "gelu", "gelu", layer, 0, 0, s * ffn, 0, attrs("width", ffn, "seq", s));
        g.edge(up, p + "gelu");
        return linear(p + "fc2", layer, p + "gelu", ffn, h, true);
    }

    private String preNormBlock(int i, String input) {
        String layer = "block" + i;
        String p = layer + ".";
        String proj = attention(p, layer, norm(p + "ln1", layer, input));
        String add1 = add(p + "add1", layer, input, proj);
        String down = mlp(p, layer, norm(p + "ln2", layer, add1));
        return add(p + "add2", layer, add1, down);
    }

    private String postNormBlock(int i, String input) {
        String layer = "block" + i;
        String p = layer + ".";
        String ln1 = norm(p + "ln1", layer, add(p + "add1", layer, input, attention(p, layer, input)));
        return norm(p + "ln2", layer, add(p + "add2", layer, ln1, mlp(p, layer, ln1)));
    }

    private void head(String input) {
        String x = input;
        boolean tied = c.style() != Style.LLAMA;
        long vocab = c.vocab();
        long logitParams = tied ? 0 : vocab * h;
        if (c.style() == Style.BERT) {
            x = linear("mlm.dense", "head", x, h, h, true);
            g.op("mlm.gelu", "gelu", "head", 0, 0, s * h, 0, attrs("width", h, "seq", s));
            g.edge(x, "mlm.gelu");
            x = norm("mlm.ln", "head", "mlm.gelu");
            logitParams = vocab; // decoder bias; the weight is tied to the word embedding
        } else {
            x = norm("final.ln", "head", x);
        }
        Map<String, String> a = attrs("hidden", h, "vocab", vocab, "seq", s);
        if (tied) {
            a.put("tiedTo", "embed");
        }
        g.op("logits", "logits", "head", 2.0 * s * h * vocab, logitParams, s * vocab, 0, a);
        g.edge(x, "logits");
        g.op("loss", "cross-entropy", "head", 0, 0, 1, s * vocab, attrs("vocab", vocab, "seq", s));
        g.edge("logits", "loss");
    }
}
