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
