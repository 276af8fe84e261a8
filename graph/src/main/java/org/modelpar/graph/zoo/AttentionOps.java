package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.FP32;
import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.Map;

/**
 * The ops of one attention: projections, scores {@code Q K^T} (2 s^2 H d FLOPs), softmax, context
 * {@code P V} (2 s^2 H d_v FLOPs) and the output projection (Vaswani et al., NeurIPS'17). Grouped-query
 * attention (Ainslie et al., EMNLP'23) projects K and V to {@code kvHeads} heads; latent attention
 * (DeepSeek-V2) goes through low-rank latents; cross-attention takes K and V from the encoder output.
 */
final class AttentionOps {
    private final LayerOps ops;
    private final AttentionShape a;
    private final long d;
    private final long qWidth;
    private final long kvWidth;

    AttentionOps(LayerOps ops, AttentionShape shape) {
        this.ops = ops;
        this.a = shape;
        this.d = shape.headDim();
        this.qWidth = shape.heads() * d;
        this.kvWidth = shape.kvHeads() * d;
    }

    /** Self-attention from {@code input}; returns the output projection's op id. */
    String build(String p, String layer, String input) {
        return build(p, layer, input, 0);
    }

    /** Self-attention whose scores add a learned relative position bias of {@code biasParameters} values. */
    String build(String p, String layer, String input, long biasParameters) {
        if (a.latent().isPresent()) {
            return latent(p, layer, input, a.latent().get());
        }
        String qkv = ops.linear(p + "qkv", layer, input, ops.h, qWidth + 2 * kvWidth, a.qkvBias());
        String qk = qkv;
        if (a.qkNorm() != AttentionShape.QkNorm.NONE) {
            long scale = a.qkNorm() == AttentionShape.QkNorm.PER_HEAD ? 2 * d : qWidth + kvWidth;
            qk = ops.norm(p + "qknorm", layer, qkv, scale, qWidth + kvWidth);
        }
        scores(p, layer, biasParameters);
        ops.g.edge(qk, p + "scores", FP32 * ops.s * (qWidth + kvWidth));
        return output(p, layer, qkv, kvWidth);
    }

    /** Cross-attention: queries from {@code input}, keys and values from {@code memory}. */
    String cross(String p, String layer, String input, String memory) {
        String q = ops.linear(p + "q", layer, input, ops.h, qWidth, a.qkvBias());
        String kv = ops.linear(p + "kv", layer, memory, ops.h, 2 * kvWidth, a.qkvBias());
        scores(p, layer, 0);
        ops.g.edge(q, p + "scores");
        ops.g.edge(kv, p + "scores", FP32 * ops.s * kvWidth);
        return output(p, layer, kv, kvWidth);
    }

    private String latent(String p, String layer, String input, LatentAttention l) {
        String q = l.queryRank() == 0 ? ops.linear(p + "q", layer, input, ops.h, qWidth, false)
                : ops.linear(p + "q", layer, ops.norm(p + "q.norm", layer,
                        ops.linear(p + "qa", layer, input, ops.h, l.queryRank(), false), l.queryRank()), l.queryRank(), qWidth, false);
        String kva = ops.linear(p + "kva", layer, input, ops.h, l.keyValueRank() + l.ropeDim(), false);
        long noRope = d - l.ropeDim();
        String kvb = ops.linear(p + "kvb", layer, ops.norm(p + "kva.norm", layer, kva, l.keyValueRank()), l.keyValueRank(),
                a.heads() * (noRope + a.valueDim()), false);
        scores(p, layer, 0);
        ops.g.edge(q, p + "scores");
        ops.g.edge(kva, p + "scores", FP32 * ops.s * l.ropeDim());
        ops.g.edge(kvb, p + "scores", FP32 * ops.s * a.heads() * noRope);
        return output(p, layer, kvb, (long) a.heads() * a.valueDim());
    }

    private Map<String, String> shape() {
        Map<String, String> shape = attrs("heads", a.heads(), "seq", ops.s, "headDim", d);
        if (a.kvHeads() != a.heads()) {
            shape.put("kvHeads", String.valueOf(a.kvHeads()));
        }
        return shape;
    }

    private void scores(String p, String layer, long biasParameters) {
        long s = ops.s;
        ops.g.op(p + "scores", "attention-scores", layer, 2.0 * s * s * qWidth, biasParameters, a.heads() * s * s, 0, shape());
    }

    /** Softmax, context from the values of {@code values} ({@code valueWidth} channels), output projection. */
    private String output(String p, String layer, String values, long valueWidth) {
        long s = ops.s;
        long contextWidth = a.heads() * (long) a.valueDim();
        ops.g.op(p + "softmax", "softmax", layer, 0, 0, a.heads() * s * s, 0, attrs("heads", a.heads(), "seq", s));
        ops.g.edge(p + "scores", p + "softmax");
        ops.g.op(p + "context", "attention-context", layer, 2.0 * s * s * contextWidth, 0, s * contextWidth, 0, shape());
        ops.g.edge(p + "softmax", p + "context");
        ops.g.edge(values, p + "context", FP32 * s * valueWidth);
        return ops.linear(p + "proj", layer, p + "context", contextWidth, ops.h, a.outBias());
    }
}
