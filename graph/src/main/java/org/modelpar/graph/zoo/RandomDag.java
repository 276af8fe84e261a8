package org.modelpar.graph.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * A seeded random layered DAG for scale tests ({@code dag:ops=N,seed=S[,width=W]}): ops in layers of
 * {@code width} (the last layer may be shorter), layer tag {@code l<k>}. Every op after the first layer reads
 * one op of the previous layer and, with probability 1/2 each, up to two more distinct ops of the previous
 * two layers; every tensor carries its producer's whole output. Per op: 10^6-10^8 forward FLOPs per sample
 * (backward twice that), 0-256 KiB of fp32 parameters, 1-64 KiB of activations per sample. The same spec
 * always gives the same graph.
 */
public final class RandomDag {
    private static final long KIB = 1024;

    private RandomDag() {
    }

    public static ComputationGraph build(String name, int ops, long seed, int width) {
        if (ops < 1 || width < 1) {
            throw new GraphException("dag needs ops >= 1 and width >= 1, got ops " + ops + ", width " + width);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<OpNode> nodes = new ArrayList<>(ops);
        List<TensorEdge> tensors = new ArrayList<>(2 * ops);
        int[] inputs = new int[3];
        for (int i = 0; i < ops; i++) {
            int layer = i / width;
            double flops = 1e6 * (1 + random.nextInt(100));
            long parameterBytes = 4 * random.nextLong(64 * KIB + 1);
            long activationBytes = 4 * (256 + random.nextLong(16 * KIB - 256 + 1));
            OpNode op = new OpNode("op" + i, "op" + i, "linear", "l" + layer, flops, 2 * flops, parameterBytes,
                    activationBytes, 0, Map.of(), Map.of());
            nodes.add(op);
            if (layer == 0) {
                continue;
            }
            int previousStart = (layer - 1) * width;
            int count = 0;
            inputs[count++] = previousStart + random.nextInt(width);
            int windowStart = Math.max(0, layer - 2) * width;
            for (int k = 0; k < 2; k++) {
                if (random.nextBoolean()) {
                    int from = windowStart + random.nextInt(layer * width - windowStart);
                    if (!contains(inputs, count, from)) {
                        inputs[count++] = from;
                    }
                }
            }
            for (int k = 0; k < count; k++) {
                OpNode from = nodes.get(inputs[k]);
                tensors.add(new TensorEdge("t" + tensors.size(), from.id(), op.id(), from.activationBytes()));
            }
        }
        return ComputationGraph.of(name, 1, nodes, tensors);
    }

    private static boolean contains(int[] values, int count, int v) {
        for (int k = 0; k < count; k++) {
            if (values[k] == v) {
                return true;
            }
        }
        return false;
    }
}
