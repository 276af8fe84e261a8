package org.modelpar.executor.model;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Updates parameters in place from their gradients; holds its own state per parameter. */
public interface Optimizer {
    /**
     * Applies one update to every parameter that has a gradient, in place and without temporaries; the
     * gradients may be overwritten (the caller zeroes them next).
     */
    void step(Map<String, INDArray> params, Map<String, INDArray> grads);

    /**
     * Mixed precision: updates the master weight {@code master} of parameter {@code name} from its gradient in the
     * compute type, cast to the master's type and divided by the loss scale (a temporary of the caller's scope).
     */
    default void stepFromComputeGradient(String name, INDArray master, INDArray gradient, double lossScale) {
        step(Map.of(name, master), Map.of(name, gradient.castTo(master.dataType()).divi(lossScale)));
    }

    /** The optimizer's state (for checkpoints and memory accounting), keyed {@code param/slot}. */
    Map<String, INDArray> state();

    /** Restores state written by {@link #state()}. */
    void restore(Map<String, INDArray> state);

    /** Bytes of state held for a parameter of {@code paramBytes} bytes. */
    long stateBytes(long paramBytes);
}
