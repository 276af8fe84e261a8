package org.modelpar.simulator.plan;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.modelpar.graph.OpNode;

/**
 * What a stage holds, summed from its ops (graph units: fp32 bytes, per sample).
 *
 * @param index                       stage index
 * @param ops                         its ops in the graph's topological order
 * @param parameterBytes              fp32 bytes of its parameters
 * @param activationBytesPerSample    sum of its ops' outputs (what each stashes is {@code activations})
 * @param workspace                   what one running op needs beyond the stash ({@link StageWorkspace})
 * @param inputBytesPerSample         bytes of tensors entering from other stages
 * @param inputsFrom                  bytes per sample received from each earlier stage
 * @param outputsTo                   bytes per sample sent to each later stage
 * @param forwardCollectives          per-sample sizes of the tensor-parallel collectives of one forward pass
 *                                    ({@link TensorSplit#collectives}, op by op)
 * @param backwardCollectives         the same of one backward pass, or of a split backward's input-gradient part
 * @param weightPassCollectives       the same of a split backward's weight-gradient part (with sequence
 *                                    parallelism, {@link TensorSplit#splitBackwardPasses}); empty otherwise
 * @param modelInputBytesPerSample    model inputs its source ops keep for backward: a {@code linear}
 *                                    without producer stashes its {@code in x tokens} input features, an
 *                                    {@code embedding} its {@code seq} token ids (as fp32 values, as the
 *                                    executor holds them); other kinds 0
 * @param tiedCopyParameterCount      parameters of a tied weight this stage holds a copy of: an op with
 *                                    attribute {@code tiedTo} whose target op sits on another stage keeps
 *                                    the target's {@code vocab x hidden} word table (Megatron-LM's
 *                                    embedding group); 0 otherwise
 * @param activations                 what a micro-batch stashes, by recompute mode ({@link ActivationRules})
 * @param replicatedWorkOps           ids of the ops whose work every tensor rank repeats unless sequence
 *                                    parallelism splits it ({@link TensorSplit#replicatedWork})
 * @param rowParallelOps              ids of the linears whose input features tensor parallelism splits
 *                                    ({@link TensorSplit#rowParallel})
 */
public record StageProfile(int index, List<OpNode> ops, long parameterBytes, long activationBytesPerSample,
                           StageWorkspace workspace, long inputBytesPerSample,
                           SortedMap<Integer, Long> inputsFrom, SortedMap<Integer, Long> outputsTo,
                           List<Long> forwardCollectives, List<Long> backwardCollectives,
                           List<Long> weightPassCollectives, long modelInputBytesPerSample,
                           long tiedCopyParameterCount, StageActivations activations, Set<String> replicatedWorkOps,
                           Set<String> rowParallelOps) {
    public StageProfile {
        replicatedWorkOps = Set.copyOf(replicatedWorkOps);
        rowParallelOps = Set.copyOf(rowParallelOps);
        ops = List.copyOf(ops);
        inputsFrom = Collections.unmodifiableSortedMap(new TreeMap<>(inputsFrom));
        outputsTo = Collections.unmodifiableSortedMap(new TreeMap<>(outputsTo));
        forwardCollectives = List.copyOf(forwardCollectives);
        backwardCollectives = List.copyOf(backwardCollectives);
        weightPassCollectives = List.copyOf(weightPassCollectives);
    }

    /** Bytes per sample sent to later stages. */
    public long outputBytesPerSample() {
        return outputsTo.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Parameters of its own ops (fp32 count = bytes / 4), without a tied copy. */
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
