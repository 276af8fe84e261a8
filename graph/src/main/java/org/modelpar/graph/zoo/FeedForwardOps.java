package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.ArrayList;
import java.util.List;

/**
 * The feed-forward of a block: a dense MLP, or a mixture of experts whose router, experts and combine are
 * ops of their own. Each routed expert processes {@code c s k / E} tokens per sample (balanced routing); the
 * tensors into and out of it are the dispatch and combine all-to-all traffic of expert parallelism.
 */
final class FeedForwardOps {
    private final LayerOps ops;

    FeedForwardOps(LayerOps ops) {
        this.ops = ops;
    }

    /** A dense MLP from {@code input}; returns its last op. Op ids {@code fc1, act, fc2} or {@code <gated>, fc2}. */
    String mlp(String p, String layer, String input, MlpShape m) {
        long s = ops.s;
        long h = ops.h;
        long f = m.intermediate();
        Activation act = m.activation();
        if (act.gated()) {
            ops.g.op(p + act.kind(), act.kind(), layer, 2.0 * s * h * 2 * f, 2 * h * f + (m.bias() ? 2 * f : 0), s * f, 2 * s * f,
                    attrs("in", h, "intermediate", f, "tokens", s));
            ops.g.edge(input, p + act.kind());
            return ops.linear(p + "fc2", layer, p + act.kind(), f, h, m.bias());
        }
        String up = ops.linear(p + "fc1", layer, input, h, f, m.bias());
        ops.g.op(p + act.kind(), act.kind(), layer, 0, 0, s * f, 0, attrs("width", f, "seq", s));
        ops.g.edge(up, p + act.kind());
        return ops.linear(p + "fc2", layer, p + act.kind(), f, h, m.bias());
    }

    /** A mixture of experts from {@code input}; returns the combine op. */
    String moe(String p, String layer, String input, MoeShape moe) {
        GraphBuilder g = ops.g;
        long s = ops.s;
        long h = ops.h;
        int e = moe.experts();
        String router = p + "router";
        g.op(router, "moe-router", layer, 2.0 * s * h * e, h * e, s * e, 0,
                attrs("hidden", h, "experts", e, "topK", moe.topK(), "seq", s));
        g.edge(input, router);
        double tokens = moe.tokensPerExpert(s);
        long dispatched = (long) Math.ceil(tokens);
        MlpShape x = moe.expert();
        long f = x.intermediate();
        List<String> outputs = new ArrayList<>();
        for (int j = 0; j < e; j++) {
            String id = p + "expert" + j;
            g.op(id, "moe-expert", layer, 2.0 * tokens * x.activation().matrices() * h * f, x.parameters(h), dispatched * h,
                    x.activation().gated() ? 2 * dispatched * f : dispatched * f,
                    attrs("in", h, "intermediate", f, "activation", x.activation().kind(), "expert", j, "experts", e,
                            "topK", moe.topK(), "tokens", dispatched, "seq", s));
            g.edge(input, id, GraphBuilder.FP32 * dispatched * h);
            g.edge(router, id, GraphBuilder.FP32 * dispatched);
            outputs.add(id);
        }
        if (moe.shared().isPresent()) {
            outputs.add(mlp(p + "shared.", layer, input, moe.shared().get()));
            if (moe.sharedGate()) {
                outputs.add(ops.linear(p + "shared.gate", layer, input, h, 1, false));
            }
        }
        String combine = p + "combine";
        g.op(combine, "moe-combine", layer, 0, 0, s * h, 0, attrs("hidden", h, "experts", e, "topK", moe.topK(), "seq", s));
        outputs.forEach(o -> g.edge(o, combine));
        g.edge(router, combine, GraphBuilder.FP32 * s * moe.topK());
        return combine;
    }
}
