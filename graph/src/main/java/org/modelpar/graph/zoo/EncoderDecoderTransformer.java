package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import org.modelpar.graph.ComputationGraph;

/**
 * Builds the graph of an {@link EncoderDecoder}: the shared embedding, encoder blocks {@code enc{i}}
 * (pre-norm self-attention and MLP), the encoder's final norm, the decoder's embedding of the target tokens
 * (the shared table: no parameters of its own), decoder blocks {@code dec{j}} (self-attention,
 * cross-attention to the encoder output, MLP, each pre-norm with a residual add), then the head.
 */
final class EncoderDecoderTransformer {
    private EncoderDecoderTransformer() {
    }

    static ComputationGraph build(String name, EncoderDecoder model) {
        Architecture a = model.encoder();
        GraphBuilder g = new GraphBuilder();
        LayerOps ops = new LayerOps(g, a.seq(), a.hidden(), a.norm());
        AttentionOps attention = new AttentionOps(ops, a.attention());
        FeedForwardOps feedForward = new FeedForwardOps(ops);
        EndOps ends = new EndOps(ops, a);
        long relativeBias = (long) model.relativeBuckets() * a.attention().heads();
        String x = ends.embedding("embed", "embedding");
        for (int i = 0; i < a.layers(); i++) {
            String layer = "enc" + i;
            String p = layer + ".";
            String add1 = ops.add(p + "add1", layer, x, attention.build(p, layer, ops.norm(p + "ln1", layer, x), i == 0 ? relativeBias : 0));
            x = ops.add(p + "add2", layer, add1, feedForward.mlp(p, layer, ops.norm(p + "ln2", layer, add1), a.mlp()));
        }
        String memory = ops.norm("enc.final.ln", "enc" + (a.layers() - 1), x);
        g.op("dec.embed", "embedding", "dec.embedding", 0, 0, ops.s * ops.h, 0,
                attrs("vocab", a.embeddings().vocab(), "hidden", ops.h, "seq", ops.s, "tiedTo", "embed"));
        String y = "dec.embed";
        for (int j = 0; j < model.decoderLayers(); j++) {
            String layer = "dec" + j;
            String p = layer + ".";
            String add1 = ops.add(p + "add1", layer, y, attention.build(p, layer, ops.norm(p + "ln1", layer, y), j == 0 ? relativeBias : 0));
            String add2 = ops.add(p + "add2", layer, add1, attention.cross(p + "cross.", layer, ops.norm(p + "ln2", layer, add1), memory));
            y = ops.add(p + "add3", layer, add2, feedForward.mlp(p, layer, ops.norm(p + "ln3", layer, add2), a.mlp()));
        }
        ends.head(y);
        return g.build(name);
    }
}
