package org.modelpar.executor.kernel;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward and backward of one op. Inputs arrive in the order the op's kind defines (see
 * {@link Kernels}); parameters are keyed by their full name ({@code opId.param}).
 */
public interface Kernel {
    /** The parameters this op reads (a tied op lists the parameter of the op it is tied to). */
    List<ParameterSpec> parameters();

    /** Runs the forward pass of {@code samples} samples. */
    Forward forward(List<INDArray> inputs, Map<String, INDArray> params, int samples);

    /**
     * Runs the backward pass from the gradient of the output (for a loss op: null, the loss itself, or a
     * 1 x 1 loss scale that multiplies its gradients); returns gradients of the inputs (null for non-differentiable inputs such as targets)
     * and of the parameters.
     */
    Backward backward(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params);

    /**
     * Whether the backward splits into {@link #inputGradients} and {@link #weightGradients} (Qi et al., "Zero
     * Bubble Pipeline Parallelism", ICLR 2024: B and W), each reading only the output gradient and the saved
     * tensors: true for a kernel without parameters (its backward is all input gradient).
     */
    default boolean splitsBackward() {
        return parameters().isEmpty();
    }

    /**
     * Whether a split backward runs this kernel's {@link #weightGradients} part: with parameters, and where that part
     * exchanges what another device's weight gradients need (a routed expert's member that does not hold it).
     */
    default boolean runsWeightPass() {
        return !parameters().isEmpty();
    }

    /**
     * Whether {@link #weightGradients} reads the parameters: false for a weight gradient computed from the output
     * gradient and the saved inputs alone ({@code dW = X^T dY}), so ZeRO stage 3 runs the weight pass without gathering
     * them; true where that pass rebuilds something from the parameters (a routed expert recomputes its first layer).
     */
    default boolean weightPassReadsParameters() {
        return false;
    }

    /** The input-gradient part of {@link #backward} (its collectives included); for a kernel without parameters, all of it. */
    default List<INDArray> inputGradients(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params) {
        if (!splitsBackward()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " does not split its backward");
        }
        return backward(gradOutput, saved, params).inputGrads();
    }

    /** The weight-gradient part of {@link #backward}: the parameters' gradients (none without parameters). */
    default Map<String, INDArray> weightGradients(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params) {
        if (!splitsBackward()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " does not split its backward");
        }
        return Map.of();
    }

    /** Output and the tensors stashed for backward. */
    record Forward(INDArray output, List<INDArray> saved) {
        public Forward {
            saved = List.copyOf(saved);
        }
    }

    /** Gradients of inputs (same order; null entries for non-differentiable inputs) and of parameters. */
    record Backward(List<INDArray> inputGrads, Map<String, INDArray> paramGrads) {
        public Backward {
            inputGrads = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputGrads));
            paramGrads = Map.copyOf(paramGrads);
        }
    }
}
