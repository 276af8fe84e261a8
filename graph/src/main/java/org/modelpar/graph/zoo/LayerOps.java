package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

/** The ops transformer parts share (norm, linear, residual add) over s tokens of hidden size h. */
final class LayerOps {
    final GraphBuilder g;
    final long s;
    final long h;
    private final Norm norm;

    LayerOps(GraphBuilder g, long seq, long hidden, Norm norm) {
        this.g = g;
        this.s = seq;
        this.h = hidden;
        this.norm = norm;
    }

    /** A norm over {@code width} channels of each token. */
    String norm(String id, String layer, String input, long width) {
        return norm(id, layer, input, width, width);
    }

    /** A norm whose scale has {@code scaleWidth} channels, applied to {@code width} channels per token. */
    String norm(String id, String layer, String input, long scaleWidth, long width) {
        g.op(id, norm.kind(), layer, 0, norm.parameters(scaleWidth), s * width, 0, attrs("hidden", width, "seq", s));
        g.edge(input, id);
        return id;
    }

    String norm(String id, String layer, String input) {
        return norm(id, layer, input, h);
    }

    /** A linear layer applied to {@code tokens} tokens: 2 tokens in out FLOPs. */
    String linear(String id, String layer, String input, long in, long out, boolean bias) {
        g.op(id, "linear", layer, 2.0 * s * in * out, in * out + (bias ? out : 0), s * out, 0,
                attrs("in", in, "out", out, "tokens", s));
        g.edge(input, id);
        return id;
    }

    String add(String id, String layer, String a, String b) {
        g.op(id, "residual-add", layer, 0, 0, s * h, 0, attrs("hidden", h, "seq", s));
        g.edge(a, id);
        g.edge(b, id);
        return id;
    }
}
