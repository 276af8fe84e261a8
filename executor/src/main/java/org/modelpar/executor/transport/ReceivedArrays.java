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
 * The arrays a process decodes received tensors into, reused: a receiver hands them back
 * ({@link Transport#release}) once consumed, and the next message of the same type and shape is decoded into
 * one of them, so in steady state receiving allocates nothing (as the in-process transport's message pool).
 * The event loop takes, the workers give back, hence the locking.
 */
final class ReceivedArrays {
    private record Key(DataType type, List<Long> shape) {
    }

    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
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

    /** Arrays allocated so far (constant once the steps repeat). */
    synchronized long allocations() {
        return allocations;
    }
}
