package org.modelpar.executor.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tensor-parallel group a kernel's device belongs to: the devices of one data-parallel replica of a
 * stage, by tensor rank. Kernels of tensor-parallel ops call its collectives inside their forward and
 * backward (Megatron-LM's f and g operators); every member calls them in the same order, and every member
 * ends with the same bits.
 */
public interface TensorGroup {
    /** One device alone: collectives are the identity. */
    TensorGroup SOLO = new TensorGroup() {
        @Override
        public int size() {
            return 1;
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
            return part.reshape(1, part.length());
        }

        @Override
        public INDArray reduceScatter(INDArray values) {
            return values.reshape(values.length());
        }
    };

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
}
