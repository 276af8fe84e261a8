package org.modelpar.executor.model;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.modelpar.executor.kernel.Kernel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a stage's arrays live. Each kernel call runs in a scope whose temporaries die when the call
 * returns; what outlives the call (its output, what it saves for backward, accumulated gradients) is
 * kept, and handed back once the stage knows it is dead. Dying with the call is what bounds a worker's
 * transient memory by the largest kernel instead of the whole instruction, the way a caching allocator
 * reuses a freed block at once (PyTorch; Paszke et al., "PyTorch: an imperative style, high-performance
 * deep learning library", NeurIPS 2019).
 */
public interface Arena {
    /** Plain heap arrays: no scopes, nothing to hand back (calibration, tests, the plain benchmark loop). */
    Arena HEAP = new Arena() {
        @Override
        public <T> T call(Supplier<T> kernel) {
            return kernel.get();
        }

        @Override
        public INDArray keep(INDArray a) {
            return a;
        }

        @Override
        public INDArray copy(INDArray a) {
            return a.dup();
        }

        @Override
        public void release(Collection<INDArray> arrays) {
        }
    };

    /** Runs one kernel call (and the keeping of its results) in a scope of its own. */
    <T> T call(Supplier<T> kernel);

    /** {@code a} itself when it outlives the current scope already, else a kept copy of it. */
    INDArray keep(INDArray a);

    /** A kernel's output and saved arrays kept past its scope, the same array always to the same copy. */
    default Kernel.Forward keep(Kernel.Forward f) {
        Map<INDArray, INDArray> copies = new IdentityHashMap<>();
        INDArray output = copies.computeIfAbsent(f.output(), this::keep);
        return new Kernel.Forward(output, f.saved().stream().map(a -> copies.computeIfAbsent(a, this::keep)).toList());
    }

    /** A kept copy of {@code a} that the stage may write into. */
    INDArray copy(INDArray a);

    /** Arrays the stage no longer needs: kept copies among them are handed back, others are ignored. */
    void release(Collection<INDArray> arrays);
}
