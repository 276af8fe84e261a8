package org.modelpar.executor.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Flat views of arrays, each made once per array and bounds and kept: the arrays a device's collectives cut are the
 * same from step to step (its gradients and parameters, the pooled flat buffers), and ND4J allocates every new view's
 * shape natively, freed only by its deallocator threads after a garbage collection. Made afresh, the views of the
 * small mlp's ZeRO-1 step were a fifth of what its compute threads allocated, its young collections came every
 * ~0.5 s with 35-45 ms pauses, and the deallocations after each competed with the compute. Arrays are told apart by
 * identity, not by content; safe for concurrent use.
 */
public final class FlatViews {
    /** Views kept at most: past it (arrays replaced, as by a restore, or cut once) they are made anew. */
    private static final int MOST_VIEWS = 1 << 14;
    private final Map<Key, INDArray> views = new ConcurrentHashMap<>();

    /** Elements {@code [from, to)} of contiguous {@code array} flattened: a view that reads and writes {@code array}. */
    public INDArray interval(INDArray array, long from, long to) {
        if (views.size() >= MOST_VIEWS) {
            views.clear();
        }
        return views.computeIfAbsent(new Key(array, from, to), k -> {
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return cut(array, from, to);
            }
        });
    }

    /** Elements {@code [from, to)} of contiguous {@code array} flattened, as {@link #interval} but made now, not kept. */
    public static INDArray cut(INDArray array, long from, long to) {
        if (from < 0 || to < from || to > array.length()) {
            throw new IllegalArgumentException("elements [" + from + ", " + to + ") of an array of " + array.length());
        }
        return array.reshape(array.length()).get(NDArrayIndex.interval(from, to));
    }

    /** An array by identity and the bounds of a view of it. */
    private static final class Key {
        private final INDArray array;
        private final long from;
        private final long to;

        Key(INDArray array, long from, long to) {
            this.array = array;
            this.from = from;
            this.to = to;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.array == array && k.from == from && k.to == to;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * System.identityHashCode(array) + Long.hashCode(from)) + Long.hashCode(to);
        }
    }
}
