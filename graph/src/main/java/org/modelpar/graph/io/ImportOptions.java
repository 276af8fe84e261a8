package org.modelpar.graph.io;

import org.modelpar.graph.GraphException;

/**
 * Options for reading a graph file.
 *
 * @param measuredOn   device type that PipeDream's measured times are attributed to
 * @param batchSize    samples per profiled minibatch of a PipeDream file (times are for this many samples;
 *                     byte counts are divided by it to get per-sample bytes)
 * @param maxOps       largest number of ops accepted
 * @param maxTensors   largest number of tensors accepted
 * @param maxFileBytes largest file accepted, in bytes
 */
public record ImportOptions(String measuredOn, int batchSize, int maxOps, int maxTensors, long maxFileBytes) {
    /** Device type PipeDream's profiles were measured on (the PipeDream paper used V100s). */
    public static final String DEFAULT_MEASURED_ON = "v100-sxm2-32gb";
    public static final int DEFAULT_MAX_OPS = 1_000_000;
    public static final int DEFAULT_MAX_TENSORS = 4_000_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 512L * 1024 * 1024;

    public ImportOptions {
        if (measuredOn == null || measuredOn.isBlank()) {
            throw new GraphException("measuredOn must be a device type name, got '" + measuredOn + "'");
        }
        if (batchSize < 1) {
            throw new GraphException("batch size must be at least 1, got " + batchSize);
        }
        if (maxOps < 1 || maxTensors < 0 || maxFileBytes < 1) {
            throw new GraphException("import limits must be positive, got maxOps " + maxOps + ", maxTensors "
                    + maxTensors + ", maxFileBytes " + maxFileBytes);
        }
    }

    /** Defaults: measured on {@value #DEFAULT_MEASURED_ON}, batch size 1, generous size limits. */
    public static ImportOptions defaults() {
        return new ImportOptions(DEFAULT_MEASURED_ON, 1, DEFAULT_MAX_OPS, DEFAULT_MAX_TENSORS, DEFAULT_MAX_FILE_BYTES);
    }

    public ImportOptions withMeasuredOn(String type) {
        return new ImportOptions(type, batchSize, maxOps, maxTensors, maxFileBytes);
    }

    public ImportOptions withBatchSize(int samples) {
        return new ImportOptions(measuredOn, samples, maxOps, maxTensors, maxFileBytes);
    }

    public ImportOptions withLimits(int ops, int tensors, long fileBytes) {
        return new ImportOptions(measuredOn, batchSize, ops, tensors, fileBytes);
    }
}
