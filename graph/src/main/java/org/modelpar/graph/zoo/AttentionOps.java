package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.Map;

/**
 * The ops of one self-attention: projections, scores {@code Q K^T} (2 s^2 H d FLOPs), softmax, context
 * {@code P V} (2 s^2 H d_v FLOPs) and the output projection (Vaswani et al., NeurIPS'17). Grouped-query
 * attention (Ainslie et al., EMNLP'23) projects K and V to {@code kvHeads} heads; latent attention
 * (DeepSeek-V2) goes through low-rank latents.
 */
final class AttentionOps {
    private final LayerOps ops;
    private final AttentionShape a;

    AttentionOps(LayerOps ops, AttentionShape shape) {
        this.ops = ops;
        this.a = shape;
    }

    /** Attention from {@code input}; returns the output projection's op id. */
    String build(String p, String layer, String input) {
        GraphBuilder g = ops.g;
        long s = ops.s;
        long d = a.headDim();
        long qWidth = a.heads() * d;
        long kvWidth = (long) a.kvHeads() * d;
        Map<String, String> shape = attrs("heads", a.heads(), "seq", s, "headDim", d);
        if (a.kvHeads() != a.heads()) {
            shape.put("kvHeads", String.valueOf(a.kvHeads()));
        }
        String keys;
        String values;
        if (a.latent().isPresent()) {
            LatentAttention l = a.latent().get();
            String q = l.queryRank() == 0 ? ops.linear(p + "q", layer, input, ops.h, qWidth, false)
                    : ops.linear(p + "q", layer, ops.norm(p + "q.norm", layer,
                            ops.linear(p + "qa", layer, input, ops.h, l.queryRank(), false), l.queryRank()), l.queryRank(), qWidth, false);
            String kva = ops.linear(p + "kva", layer, input, ops.h, l.keyValueRank() + l.ropeDim(), false);
            values = ops.linear(p + "kvb", layer, ops.norm(p + "kva.norm", layer, kva, l.keyValueRank()), l.keyValueRank(),
                    a.heads() * (d - l.ropeDim() + a.valueDim()), false);
            g.op(p + "scores", "attention-scores", layer, 2.0 * s * s * qWidth, 0, a.heads() * s * s, 0, shape);
            g.edge(q, p + "scores");
            g.edge(kva, p + "scores", GraphBuilder.FP32 * s * l.ropeDim());
            g.edge(values, p + "scores", GraphBuilder.FP32 * s * a.heads() * (d - l.ropeDim()));
            keys = p + "scores";
        } else {
            String qkv = ops.linear(p + "qkv", layer, input, ops.h, qWidth + 2 * kvWidth, a.qkvBias());
            String qk = qkv;
            if (a.qkNorm() != AttentionShape.QkNorm.NONE) {
                long scale = a.qkNorm() == AttentionShape.QkNorm.PER_HEAD ? 2 * d : qWidth + kvWidth;
                qk = ops.norm(p + "qknorm", layer, qkv, scale, qWidth + kvWidth);
            }
            g.op(p + "scores", "attention-scores", layer, 2.0 * s * s * qWidth, 0, a.heads() * s * s, 0, shape);
            g.edge(qk, p + "scores", GraphBuilder.FP32 * s * (qWidth + kvWidth));
            keys = p + "scores";
            values = qkv;
        }
        long contextWidth = a.heads() * (long) a.valueDim();
        g.op(p + "softmax", "softmax", layer, 0, 0, a.heads() * s * s, 0, attrs("heads", a.heads(), "seq", s));
        g.edge(keys, p + "softmax");
        g.op(p + "context", "attention-context", layer, 2.0 * s * s * contextWidth, 0, s * contextWidth, 0, shape);
        g.edge(p + "softmax", p + "context");
        g.edge(values, p + "context", GraphBuilder.FP32 * s * (a.latent().isPresent() ? contextWidth : kvWidth));
        return ops.linear(p + "proj", layer, p + "context", contextWidth, ops.h, a.outBias());
    }
}
