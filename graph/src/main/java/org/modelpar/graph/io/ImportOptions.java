package org.modelpar.graph.io;

import java.util.OptionalInt;
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
 * @param sequenceLength tokens per sample of a model built from a config (empty: the model's limit, at most 4096)
 */
public record ImportOptions(String measuredOn, int batchSize, int maxOps, int maxTensors, long maxFileBytes,
                            OptionalInt sequenceLength) {
    /** Device type PipeDream's profiles were measured on (the PipeDream paper used V100s). */
    public static final String DEFAULT_MEASURED_ON = "v100-sxm2-32gb";
    public static final int DEFAULT_MAX_OPS = 1_000_000;
    public static final int DEFAULT_MAX_TENSORS = 4_000_000;
    public static final long DEFAULT_MAX_FILE_BYTES = 512L * 1024 * 1024;
    /** Longest sequence accepted, in tokens. */
    public static final int MAX_SEQUENCE_LENGTH = 1_000_000;

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
        if (sequenceLength == null) {
            sequenceLength = OptionalInt.empty();
        }
        if (sequenceLength.isPresent() && (sequenceLength.getAsInt() < 1 || sequenceLength.getAsInt() > MAX_SEQUENCE_LENGTH)) {
            throw new GraphException("sequence length must be between 1 and " + MAX_SEQUENCE_LENGTH + ", got "
                    + sequenceLength.getAsInt());
        }
    }

    /** Defaults: measured on {@value #DEFAULT_MEASURED_ON}, batch size 1, generous size limits. */
    public static ImportOptions defaults() {
        return new ImportOptions(DEFAULT_MEASURED_ON, 1, DEFAULT_MAX_OPS, DEFAULT_MAX_TENSORS, DEFAULT_MAX_FILE_BYTES, OptionalInt.empty());
    }

    public ImportOptions withMeasuredOn(String type) {
        return new ImportOptions(type, batchSize, maxOps, maxTensors, maxFileBytes, sequenceLength);
    }

    public ImportOptions withBatchSize(int samples) {
        return new ImportOptions(measuredOn, samples, maxOps, maxTensors, maxFileBytes, sequenceLength);
    }

    public ImportOptions withLimits(int ops, int tensors, long fileBytes) {
        return new ImportOptions(measuredOn, batchSize, ops, tensors, fileBytes, sequenceLength);
    }

    /** These options with a sequence length of {@code tokens} per sample for configs. */
    public ImportOptions withSequenceLength(int tokens) {
        return new ImportOptions(measuredOn, batchSize, maxOps, maxTensors, maxFileBytes, OptionalInt.of(tokens));
    }
}
