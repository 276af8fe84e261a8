package org.modelpar.simulator.plan;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.modelpar.graph.OpNode;

/**
 * What a stage holds, summed from its ops (graph units: fp32 bytes, per sample).
 *
 * @param index                       stage index
 * @param ops                         its ops in the graph's topological order
 * @param parameterBytes              fp32 bytes of its parameters
 * @param activationBytesPerSample    sum of its ops' stashed activations
 * @param workspaceBytesPerSample     largest workspace of one op (ops run one at a time)
 * @param inputBytesPerSample         bytes of tensors entering from other stages
 * @param inputsFrom                  bytes per sample received from each earlier stage
 * @param outputsTo                   bytes per sample sent to each later stage
 * @param tensorParallelAllReduces    per-sample sizes of the Megatron all-reduces of one forward pass
 *                                    under tensor parallelism (the backward pass has the same)
 */
public record StageProfile(int index, List<OpNode> ops, long parameterBytes, long activationBytesPerSample,
                           long workspaceBytesPerSample, long inputBytesPerSample,
                           SortedMap<Integer, Long> inputsFrom, SortedMap<Integer, Long> outputsTo,
                           List<Long> tensorParallelAllReduces) {
    public StageProfile {
        ops = List.copyOf(ops);
        inputsFrom = Collections.unmodifiableSortedMap(new TreeMap<>(inputsFrom));
        outputsTo = Collections.unmodifiableSortedMap(new TreeMap<>(outputsTo));
        tensorParallelAllReduces = List.copyOf(tensorParallelAllReduces);
    }

    /** Parameters (fp32 count = bytes / 4). */
    public long parameterCount() {
        return parameterBytes / 4;
    }

    public double forwardFlopsPerSample() {
        return ops.stream().mapToDouble(OpNode::forwardFlops).sum();
    }

    public double backwardFlopsPerSample() {
        return ops.stream().mapToDouble(OpNode::backwardFlops).sum();
    }
}
