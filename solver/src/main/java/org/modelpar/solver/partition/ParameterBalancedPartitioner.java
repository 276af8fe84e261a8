package org.modelpar.solver.partition;

/**
 * DeepSpeed's {@code partition_method="parameters"}: contiguous stages with balanced parameter counts
 * (DeepSpeed {@code PipelineModule}, {@code ds_utils.partition_balanced}), ignoring compute time. A
 * baseline for comparisons, not a placement modelpar recommends.
 */
public final class ParameterBalancedPartitioner {
    private ParameterBalancedPartitioner() {
    }

    /**
     * @param parameterBytes parameter bytes per block, non-empty
     * @param stages         number of stages, {@code 1 <= stages <= blocks}
     * @return the split whose largest stage holds the fewest parameter bytes; its bottleneck is in bytes
     */
    public static ChainPartition partition(long[] parameterBytes, int stages) {
        double[] weights = new double[parameterBytes.length];
        for (int b = 0; b < weights.length; b++) {
            weights[b] = parameterBytes[b];
        }
        return ChainPartitioner.minimizeBottleneck(weights.length, stages, ChainPartitioner.summed(weights))
                .orElseThrow(() -> new IllegalStateException("summed costs are always finite"));
    }
}
