package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * A multi-layer perceptron mapping {@code width} inputs to {@code width} outputs through {@code layers}
 * hidden layers ({@code layers + 1} linear layers with bias, ReLU between them, mean-squared-error loss).
 */
public final class Mlp {
    private Mlp() {
    }

    public static ComputationGraph build(String name, int layers, int width) {
        if (layers < 0 || width < 1) {
            throw new GraphException("mlp needs layers >= 0 and width >= 1, got layers " + layers + ", width " + width);
        }
        GraphBuilder g = new GraphBuilder();
        long w = width;
        String previous = null;
        for (int i = 0; i <= layers; i++) {
            String fc = "fc" + i;
            g.op(fc, "linear", "layer" + i, 2.0 * w * w, w * w + w, w, 0, attrs("in", w, "out", w, "tokens", 1));
            if (previous != null) {
                g.edge(previous, fc);
            }
            previous = fc;
            if (i < layers) {
                String relu = "relu" + i;
                g.op(relu, "relu", "layer" + i, 0, 0, w, 0, attrs("width", w));
                g.edge(fc, relu);
                previous = relu;
            }
        }
        g.op("loss", "mse-loss", "head", 0, 0, 1, 0, attrs("width", w));
        g.edge(previous, "loss");
        return g.build(name);
    }
}
