package org.modelpar.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/** Seeded random layered DAGs for benchmarks: ops in layers, each op feeding 1-3 ops of the next two layers. */
final class RandomDags {
    private RandomDags() {
    }

    static ComputationGraph layered(long seed, int layers, int width) {
        Random random = new Random(seed);
        List<OpNode> ops = new ArrayList<>();
        List<TensorEdge> tensors = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int w = 0; w < width; w++) {
                double flops = 1e8 * (1 + random.nextInt(100));
                long params = 4L * random.nextInt(1_000_000);
                long act = 4L * (1_000 + random.nextInt(100_000));
                ops.add(new OpNode(id(l, w), id(l, w), "linear", "l" + l, flops, 2 * flops, params, act, 0, Map.of(), Map.of()));
            }
        }
        int e = 0;
        for (int l = 0; l + 1 < layers; l++) {
            for (int w = 0; w < width; w++) {
                int fanOut = 1 + random.nextInt(3);
                for (int k = 0; k < fanOut; k++) {
                    int toLayer = Math.min(layers - 1, l + 1 + random.nextInt(2));
                    int to = random.nextInt(width);
                    tensors.add(new TensorEdge("t" + e++, id(l, w), id(toLayer, to), ops.get(l * width + w).activationBytes()));
                }
            }
        }
        return ComputationGraph.of("random-dag-s" + seed + "-" + layers + "x" + width, 1, ops, tensors);
    }

    private static String id(int layer, int w) {
        return "op" + layer + "_" + w;
    }
}
