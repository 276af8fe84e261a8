package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Squared error of predictions {@code [n, w]} against targets {@code [n, w]}, output
 * {@code scale x sum of squares} with {@code scale = 1 / (global batch x w)}: summed over micro-batches
 * it is the step's mean squared error.
 */
final class MseLoss implements Kernel {
    private final double scale;

    MseLoss(double scale) {
        this.scale = scale;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray prediction = inputs.get(0);
        INDArray diff = prediction.sub(Tensors.like(inputs.get(1), prediction));
        double loss = diff.mul(diff).sumNumber().doubleValue() * scale;
        INDArray out = Nd4j.zeros(diff.dataType(), 1, 1).putScalar(0, loss);
        return new Forward(out, List.of(diff));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        return new Backward(Arrays.asList(saved.get(0).mul(2 * scale * CrossEntropy.lossScale(g)), null), Map.of());
    }
}
