package org.modelpar.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/** Hand-built mlp and gpt graphs following docs/op-kinds.md (the zoo's contract). */
public final class TestGraphs {
    private final List<OpNode> ops = new ArrayList<>();
    private final List<TensorEdge> tensors = new ArrayList<>();

    private TestGraphs() {
    }

    public static ComputationGraph mlp(int layers, int width) {
        TestGraphs g = new TestGraphs();
        String prev = null;
        for (int i = 0; i <= layers; i++) {
            String fc = "fc" + i;
            g.op(fc, "linear", "layer" + i, 4L * width * (width + 1), Map.of("in", "" + width, "out", "" + width, "tokens", "1"), prev);
            prev = fc;
            if (i < layers) {
                g.op("relu" + i, "relu", "layer" + i, 0, Map.of("width", "" + width), fc);
                prev = "relu" + i;
            }
        }
        g.op("loss", "mse-loss", "head", 0, Map.of("width", "" + width), prev);
        return ComputationGraph.of("mlp", 1, g.ops, g.tensors);
    }

    public static ComputationGraph gpt(int layers, int hidden, int heads, int seq, int vocab) {
        TestGraphs g = new TestGraphs();
        String h = "" + hidden;
        String s = "" + seq;
        String hd = "" + hidden / heads;
        g.op("embed", "embedding", "embedding", 4L * (vocab + seq) * hidden, Map.of("vocab", "" + vocab, "hidden", h, "seq", s));
        String prev = "embed";
        for (int i = 0; i < layers; i++) {
            String b = "block" + i + ".";
            String layer = "block" + i;
            g.op(b + "ln1", "layernorm", layer, 8L * hidden, Map.of("hidden", h, "seq", s), prev);
            g.op(b + "qkv", "linear", layer, 4L * hidden * 3 * (hidden + 1), Map.of("in", h, "out", "" + 3 * hidden, "tokens", s), b + "ln1");
            g.op(b + "scores", "attention-scores", layer, 0, Map.of("heads", "" + heads, "seq", s, "headDim", hd), b + "qkv");
            g.op(b + "softmax", "softmax", layer, 0, Map.of("heads", "" + heads, "seq", s), b + "scores");
            g.op(b + "context", "attention-context", layer, 0, Map.of("heads", "" + heads, "seq", s, "headDim", hd), b + "softmax", b + "qkv");
            g.op(b + "proj", "linear", layer, 4L * hidden * (hidden + 1), Map.of("in", h, "out", h, "tokens", s), b + "context");
            g.op(b + "add1", "residual-add", layer, 0, Map.of("hidden", h, "seq", s), prev, b + "proj");
            g.op(b + "ln2", "layernorm", layer, 8L * hidden, Map.of("hidden", h, "seq", s), b + "add1");
            g.op(b + "fc1", "linear", layer, 4L * hidden * 4 * (hidden + 1), Map.of("in", h, "out", "" + 4 * hidden, "tokens", s), b + "ln2");
            g.op(b + "gelu", "gelu", layer, 0, Map.of("width", "" + 4 * hidden, "seq", s), b + "fc1");
            g.op(b + "fc2", "linear", layer, 4L * hidden * (4 * hidden + 1), Map.of("in", "" + 4 * hidden, "out", h, "tokens", s), b + "gelu");
            g.op(b + "add2", "residual-add", layer, 0, Map.of("hidden", h, "seq", s), b + "add1", b + "fc2");
            prev = b + "add2";
        }
        g.op("final.ln", "layernorm", "head", 8L * hidden, Map.of("hidden", h, "seq", s), prev);
        g.op("logits", "logits", "head", 0, Map.of("hidden", h, "vocab", "" + vocab, "seq", s, "tiedTo", "embed"), "final.ln");
        g.op("loss", "cross-entropy", "head", 0, Map.of("vocab", "" + vocab, "seq", s), "logits");
        return ComputationGraph.of("gpt", 1, g.ops, g.tensors);
    }

    private void op(String id, String kind, String layer, long paramBytes, Map<String, String> attrs, String... inputs) {
        ops.add(new OpNode(id, id, kind, layer, 1e3, 2e3, paramBytes, 256, 0, Map.of(), attrs));
        for (String in : inputs) {
            if (in != null) {
                tensors.add(new TensorEdge(in + "->" + id, in, id, 256));
            }
        }
    }
}
