package org.modelpar.executor;

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
 * One worker's home for arrays that outlive an instruction (a forward's stash and outputs, a backward's
 * input gradients): {@link #copyOut} copies an array out of the scratch workspace into a pooled buffer
 * of the same type and shape, and {@link #release} returns the buffer when the interpreter knows the
 * value is dead (after its backward, at {@code Free}, after its last send, at the end of the step).
 * In steady state nothing is allocated: a fresh off-heap buffer costs far more than the copy (zeroed
 * pages, JavaCPP bookkeeping, a garbage collection to free it). Only the owning worker's thread uses it.
 */
final class ArrayPool {
    private record Key(DataType type, List<Long> shape) {
        static Key of(INDArray a) {
            return new Key(a.dataType(), Arrays.stream(a.shape()).boxed().toList());
        }
    }

    private final Map<Key, ArrayDeque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
    private long allocations;

    /** {@code a} itself when it lives outside any workspace, else a pooled copy of it. */
    INDArray copyOut(INDArray a) {
        if (a == null || !a.isAttached()) {
            return a;
        }
        ArrayDeque<INDArray> q = free.get(Key.of(a));
        INDArray dst = q == null || q.isEmpty() ? allocate(a) : q.pop();
        dst.assign(a);
        lent.add(dst);
        return dst;
    }

    /** Returns pooled arrays among {@code arrays} that are not in {@code stillLive}; others are ignored. */
    void release(Collection<INDArray> arrays, Set<INDArray> stillLive) {
        for (INDArray a : arrays) {
            if (a != null && !stillLive.contains(a) && lent.remove(a)) {
                free.computeIfAbsent(Key.of(a), k -> new ArrayDeque<>()).push(a);
            }
        }
    }

    /** Returns every lent array (the end of a step: nothing computed in it is live any more). */
    void releaseAll() {
        release(List.copyOf(lent), Set.of());
    }

    /** Buffers allocated so far (constant once the steps repeat: tests check there is no churn). */
    long allocations() {
        return allocations;
    }

    private INDArray allocate(INDArray like) {
        allocations++;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createUninitialized(like.dataType(), like.shape(), 'c');
        }
    }
}
