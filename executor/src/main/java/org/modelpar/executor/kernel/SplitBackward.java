package org.modelpar.executor.kernel;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A kernel with parameters whose backward is its input-gradient part followed by its weight-gradient part, each
 * reading only the output gradient and the saved tensors, so a split schedule may run them apart (ZB-H1).
 */
interface SplitBackward extends Kernel {
    @Override
    default Backward backward(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params) {
        return new Backward(inputGradients(gradOutput, saved, params), weightGradients(gradOutput, saved, params));
    }

    @Override
    default boolean splitsBackward() {
        return true;
    }

    @Override
    List<INDArray> inputGradients(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params);

    @Override
    Map<String, INDArray> weightGradients(INDArray gradOutput, List<INDArray> saved, Map<String, INDArray> params);
}
