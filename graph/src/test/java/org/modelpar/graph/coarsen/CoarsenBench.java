package org.modelpar.graph.coarsen;

import java.util.Locale;
import org.modelpar.graph.ComputationGraph;

/**
 * Benchmark (run by {@code bench/coarsen.sh}): coarsening a seeded random DAG of N ops to 256 blocks,
 * as a ratio against building the same graph (validation + topological order), measured in the same run.
 */
public final class CoarsenBench {
    private CoarsenBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        for (int round = 0; round < 3; round++) {
            ComputationGraph g = CoarsenerTest.randomDag(42, n);
            long t0 = System.nanoTime();
            ComputationGraph rebuilt = ComputationGraph.of(g.name(), 1, g.ops(), g.tensors());
            long t1 = System.nanoTime();
            CoarseGraph c = Coarsener.toAtMost(rebuilt, 256);
            long t2 = System.nanoTime();
            CoarseGraph layers = Coarsener.byLayer(rebuilt);
            long t3 = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: %d ops; build %.3f s; toAtMost(256) %.3f s = %.2fx build "
                            + "(%d blocks); byLayer %.3f s = %.2fx build (%d blocks)%n", round, n, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9, (double) (t2 - t1) / (t1 - t0), c.blockCount(), (t3 - t2) / 1e9,
                    (double) (t3 - t2) / (t1 - t0), layers.blockCount());
        }
    }
}
