package org.modelpar.executor.transport;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Arrays reused by type and shape: taken, used, handed back ({@link #release}), and the next take of the same type and
 * shape gets one of them, so in steady state the arrays a process decodes received tensors into (a receiver hands them
 * back through {@link Transport#release} once consumed) and the flat buffers of its ring collectives allocate nothing.
 * Memory allocated outside a workspace is native memory freed only once the garbage collector finds its Java owner
 * dead; allocated afresh for every message or collective, it came from pages the system had to map and zero again
 * (docs/executor.md, "Scratch memory"). Several threads take and give back, hence the locking.
 */
final class PooledArrays {
    private record Key(DataType type, List<Long> shape) {
    }

    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Views of the arrays it lent: they are never freed, so their views are kept. */
    private final FlatViews views = new FlatViews();
    private long allocations;

    /** An array of this type and shape, 'c' order, contents undefined. */
    synchronized INDArray take(DataType type, long[] shape) {
        ArrayDeque<INDArray> q = free.get(new Key(type, Arrays.stream(shape).boxed().toList()));
        INDArray a;
        if (q == null || q.isEmpty()) {
            allocations++;
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                a = Nd4j.createUninitialized(type, shape, 'c');
            }
        } else {
            a = q.pop();
        }
        lent.add(a);
        return a;
    }

    /** Takes back the arrays among {@code arrays} it lent; others are ignored. */
    synchronized void release(Collection<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (a != null && lent.remove(a)) {
                free.computeIfAbsent(new Key(a.dataType(), Arrays.stream(a.shape()).boxed().toList()), k -> new ArrayDeque<>()).push(a);
            }
        }
    }

    /**
     * Elements {@code [from, to)} of contiguous {@code array} flattened: of an array this pool lent, a view kept from use
     * to use ({@link FlatViews}); of another (a collective's caller may pass a buffer of its own), a view made now.
     */
    INDArray interval(INDArray array, long from, long to) {
        boolean pooled;
        synchronized (this) {
            pooled = lent.contains(array);
        }
        return pooled ? views.interval(array, from, to) : FlatViews.cut(array, from, to);
    }

    /** Arrays allocated so far (constant once the steps repeat). */
    synchronized long allocations() {
        return allocations;
    }
}
