package org.modelpar.executor.kernel;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code y = max(x, 0)}. */
final class Relu implements Kernel {
    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public Forward forward(List<INDArray> inputs, Map<String, INDArray> p, int samples) {
        INDArray x = inputs.get(0);
        return new Forward(Transforms.relu(x, true), List.of(x));
    }

    @Override
    public Backward backward(INDArray g, List<INDArray> saved, Map<String, INDArray> p) {
        INDArray x = saved.get(0);
        return new Backward(Arrays.asList(g.mul(x.gt(0).castTo(g.dataType()))), Map.of());
    }
}
