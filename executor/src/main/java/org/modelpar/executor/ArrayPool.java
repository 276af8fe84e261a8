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
import org.modelpar.executor.kernel.Tensors;
import org.nd4j.linalg.api.buffer.DataBuffer;
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
 * pages, JavaCPP bookkeeping, a garbage collection to free it). A worker's own pool is used by its thread
 * only; the run's message pool is shared (senders copy into it, receivers return the buffers), hence the
 * locking.
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
    private long lentBytes;

    /** {@code a} itself when it lives outside any workspace, else a pooled copy of it. */
    INDArray copyOut(INDArray a) {
        return a == null || !a.isAttached() ? a : copy(a);
    }

    /** A pooled copy of {@code a} (a view is copied compactly, in 'c' order). */
    INDArray copy(INDArray a) {
        INDArray dst = take(a);
        dst.assign(a);
        return dst;
    }

    private synchronized INDArray take(INDArray like) {
        ArrayDeque<INDArray> q = free.get(Key.of(like));
        INDArray dst = q == null || q.isEmpty() ? allocate(like) : q.pop();
        lent.add(dst);
        lentBytes += Tensors.bytes(dst);
        return dst;
    }

    /**
     * Returns pooled arrays among {@code arrays} unless one of {@code stillLive} shares their memory (is
     * the array or a view of it); arrays this pool did not lend are ignored.
     */
    synchronized void release(Collection<INDArray> arrays, Collection<INDArray> stillLive) {
        Set<DataBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
        stillLive.forEach(a -> live.add(Tensors.root(a)));
        for (INDArray a : arrays) {
            if (a != null && !live.contains(Tensors.root(a)) && lent.remove(a)) {
                lentBytes -= Tensors.bytes(a);
                free.computeIfAbsent(Key.of(a), k -> new ArrayDeque<>()).push(a);
            }
        }
    }

    /** Returns every lent array (the end of a step: nothing computed in it is live any more). */
    synchronized void releaseAll() {
        release(List.copyOf(lent), Set.of());
    }

    /** Bytes of the arrays lent out now. */
    synchronized long lentBytes() {
        return lentBytes;
    }

    /** Buffers allocated so far (constant once the steps repeat: tests check there is no churn). */
    synchronized long allocations() {
        return allocations;
    }

    private INDArray allocate(INDArray like) {
        allocations++;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createUninitialized(like.dataType(), like.shape(), 'c');
        }
    }
}
