package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Times the fixed cost of one host call of the executor's collectives: a view of a flat vector assigned a reshaped
 * tensor, or a tensor assigned a reshaped view (how the ring collectives flatten and copy back and how ZeRO packs its
 * parts), on tensors too small for their bytes to count. The simulator prices a collective's host work at so many calls
 * plus its bytes at the memory bandwidth ({@link org.modelpar.simulator.cost.HostWork}); a kernel's launch, which
 * allocates its result, costs more than such a call (the small gpt: 22.9 us against 6-8 us a call measured in its ZeRO
 * all-gathers).
 */
final class HostCalls {
    private static final int TENSORS = 64;
    private static final int ROWS = 4;
    private static final int COLUMNS = 4;
    private static final double CALLS = 2.0 * TENSORS;
    private final List<INDArray> tensors = new ArrayList<>();
    private final INDArray flat;

    HostCalls(DataType type) {
        for (int i = 0; i < TENSORS; i++) {
            tensors.add(Nd4j.rand(DataType.FLOAT, ROWS, COLUMNS).castTo(type));
        }
        this.flat = Nd4j.zeros(type, (long) TENSORS * ROWS * COLUMNS);
    }

    /** Seconds per call of one round: every tensor copied into the flat vector and back. */
    double sample() {
        long start = System.nanoTime();
        round();
        return (System.nanoTime() - start) / 1e9 / CALLS;
    }

    /** The median seconds per call of {@code timing}'s rounds of fp32 tensors (the device profile's host call). */
    static double seconds(Timing timing) {
        HostCalls calls = new HostCalls(DataType.FLOAT);
        return timing.medianSeconds(calls::round) / CALLS;
    }

    private void round() {
        long length = (long) ROWS * COLUMNS;
        for (int i = 0; i < TENSORS; i++) {
            INDArray t = tensors.get(i);
            flat.get(NDArrayIndex.interval(i * length, (i + 1) * length)).assign(t.reshape(length));
        }
        for (int i = 0; i < TENSORS; i++) {
            INDArray t = tensors.get(i);
            t.assign(flat.get(NDArrayIndex.interval(i * length, (i + 1) * length)).reshape(t.shape()));
        }
    }
}
