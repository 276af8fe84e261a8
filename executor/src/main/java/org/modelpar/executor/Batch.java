package org.modelpar.executor;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One step's data: a row per sample of the global batch.
 *
 * @param inputs  token ids {@code [B, seq]} or features {@code [B, width]}
 * @param targets next-token ids {@code [B, seq]} or regression targets {@code [B, width]}
 */
public record Batch(INDArray inputs, INDArray targets) {
    public Batch {
        if (inputs.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("batch has " + inputs.size(0) + " input rows but "
                    + targets.size(0) + " target rows");
        }
    }

    public long samples() {
        return inputs.size(0);
    }
}
