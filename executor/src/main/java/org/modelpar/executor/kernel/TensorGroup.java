package org.modelpar.executor.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The tensor-parallel group a kernel's device belongs to: the devices of one data-parallel replica of a
 * stage, by tensor rank. Kernels of tensor-parallel ops call its collectives inside their forward and
 * backward (Megatron-LM's f and g operators); every member calls them in the same order, and every member
 * ends with the same bits.
 */
public interface TensorGroup {
    /** One device alone: collectives are the identity. */
    TensorGroup SOLO = alone(1);

    /** Tensor-parallel degree t. */
    int size();

    /** This device's rank in {@code [0, t)}. */
    int rank();

    /** Sums {@code values} over the group, in place. */
    void allReduce(INDArray values);

    /** Every member's {@code part} (all of one shape), flattened: row r of the result is rank r's. */
    INDArray allGather(INDArray part);

    /**
     * Sums {@code values} (a contiguous array whose length t divides) over the group and returns this rank's chunk of
     * the flattened sum: elements {@code [rank L / t, (rank + 1) L / t)}.
     */
    INDArray reduceScatter(INDArray values);

    /** A group of {@code size} that only describes a rank's shapes; its collectives throw. */
    static TensorGroup shapeOnly(int size, int rank) {
        return new TensorGroup() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int rank() {
                return rank;
            }

            @Override
            public void allReduce(INDArray values) {
                throw new UnsupportedOperationException("tensor rank " + rank + " of " + size + " describes shapes only");
            }

            @Override
            public INDArray allGather(INDArray part) {
                throw new UnsupportedOperationException("tensor rank " + rank + " of " + size + " describes shapes only");
            }

            @Override
            public INDArray reduceScatter(INDArray values) {
                throw new UnsupportedOperationException("tensor rank " + rank + " of " + size + " describes shapes only");
            }
        };
    }

    /**
     * Rank 0 of a group of {@code size} that runs alone, to measure a rank's memory: its collectives allocate what the
     * ring collectives allocate (an all-gather the whole vector, a reduce-scatter a contiguous copy when its input is
     * a view) and move nothing.
     */
    static TensorGroup alone(int size) {
        return new TensorGroup() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int rank() {
                return 0;
            }

            @Override
            public void allReduce(INDArray values) {
            }

            @Override
            public INDArray allGather(INDArray part) {
                INDArray flat = Nd4j.create(part.dataType(), size * part.length());
                flat.get(NDArrayIndex.interval(0, part.length())).assign(part.reshape(part.length()));
                return flat.reshape(size, part.length());
            }

            @Override
            public INDArray reduceScatter(INDArray values) {
                INDArray flat = values.reshape(values.length());
                return flat.get(NDArrayIndex.interval(0, flat.length() / size));
            }
        };
    }
}
