package org.modelpar.graph.zoo;

import org.modelpar.graph.ComputationGraph;

/**
 * Builds a transformer graph from an {@link Architecture}, with the per-layer breakdown of Megatron-LM
 * (Narayanan et al., "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", SC'21):
 * per block norm, QKV projection, attention scores, softmax, attention context, output projection, residual
 * add, norm, MLP, residual add; then final norm, logits, loss. Every parameter tensor of the model is in
 * exactly one op, so the graph's parameter count is the model's. For a Megatron GPT this gives the paper's
 * parameter count {@code 12 l h^2 (1 + 13/(12h) + (V+s)/(12 l h)) + 2h} and forward+backward FLOPs
 * {@code 72 s l h^2 (1 + s/(6h) + V/(12 l h))} per sample.
 */
public final class Transformer {
    private final Architecture a;
    private final GraphBuilder g = new GraphBuilder();
    private final LayerOps ops;
    private final AttentionOps attention;
    private final FeedForwardOps feedForward;
    private final EndOps ends;
    private final long s;
    private final long h;

    private Transformer(Architecture architecture) {
        this.a = architecture;
        this.s = architecture.seq();
        this.h = architecture.hidden();
        this.ops = new LayerOps(g, s, h, architecture.norm());
        this.attention = new AttentionOps(ops, architecture.attention());
        this.feedForward = new FeedForwardOps(ops);
        this.ends = new EndOps(ops, architecture);
    }

    /** The graph of a transformer named {@code name}. */
    public static ComputationGraph build(String name, TransformerConfig config) {
        return build(name, config.architecture());
    }

    /** The graph of the architecture, named {@code name}. */
    public static ComputationGraph build(String name, Architecture architecture) {
        Transformer t = new Transformer(architecture);
        String last = t.ends.embedding("embed", "embedding");
        for (int i = 0; i < architecture.layers(); i++) {
            last = t.block(i, last);
        }
        t.ends.head(last);
        return t.g.build(name);
    }

    private String feedForward(int i, String p, String layer, String input) {
        return a.sparse(i) ? feedForward.moe(p, layer, input, a.moe().orElseThrow()) : feedForward.mlp(p, layer, input, a.mlp());
    }

    private String block(int i, String x) {
        String layer = "block" + i;
        String p = layer + ".";
        return switch (a.layout()) {
            case PRE_NORM -> {
                String add1 = ops.add(p + "add1", layer, x, attention.build(p, layer, ops.norm(p + "ln1", layer, x)));
                yield ops.add(p + "add2", layer, add1, feedForward(i, p, layer, ops.norm(p + "ln2", layer, add1)));
            }
            case POST_NORM -> {
                String ln1 = ops.norm(p + "ln1", layer, ops.add(p + "add1", layer, x, attention.build(p, layer, x)));
                yield ops.norm(p + "ln2", layer, ops.add(p + "add2", layer, ln1, feedForward(i, p, layer, ln1)));
            }
            case PARALLEL_SHARED_NORM -> {
                String ln1 = ops.norm(p + "ln1", layer, x);
                String both = ops.add(p + "add1", layer, attention.build(p, layer, ln1), feedForward(i, p, layer, ln1));
                yield ops.add(p + "add2", layer, x, both);
            }
            case PARALLEL -> {
                String attn = attention.build(p, layer, ops.norm(p + "ln1", layer, x));
                String both = ops.add(p + "add1", layer, attn, feedForward(i, p, layer, ops.norm(p + "ln2", layer, x)));
                yield ops.add(p + "add2", layer, x, both);
            }
            case SANDWICH -> {
                String attn = ops.norm(p + "ln1post", layer, attention.build(p, layer, ops.norm(p + "ln1", layer, x)));
                String add1 = ops.add(p + "add1", layer, x, attn);
                String ffn = ops.norm(p + "ln2post", layer, feedForward(i, p, layer, ops.norm(p + "ln2", layer, add1)));
                yield ops.add(p + "add2", layer, add1, ffn);
            }
            case OUTPUT_NORM -> {
                String add1 = ops.add(p + "add1", layer, x, ops.norm(p + "ln1", layer, attention.build(p, layer, x)));
                yield ops.add(p + "add2", layer, add1, ops.norm(p + "ln2", layer, feedForward(i, p, layer, add1)));
            }
        };
    }

}
