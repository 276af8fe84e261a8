package org.modelpar.executor.model;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Plain stochastic gradient descent, {@code w -= lr g}, in place (the gradient is scaled); no state. */
public final class Sgd implements Optimizer {
    private final double learningRate;

    public Sgd(double learningRate) {
        this.learningRate = learningRate;
    }

    @Override
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads) {
        params.forEach((name, w) -> w.subi(grads.get(name).muli(learningRate)));
    }

    @Override
    public Map<String, INDArray> state() {
        return Map.of();
    }

    @Override
    public void restore(Map<String, INDArray> state) {
    }

    @Override
    public long stateBytes(long paramBytes) {
        return 0;
    }
}
