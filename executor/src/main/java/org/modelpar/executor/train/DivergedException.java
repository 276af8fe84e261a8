package org.modelpar.executor.train;

/** Training stopped because a step's loss is not finite (NaN or infinite); names the step and the loss. */
public class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DivergedException(int step, double loss, double learningRate) {
        super("training diverged: the loss of step " + step + " is " + loss + " at learning rate " + learningRate
                + "; a smaller learning rate may converge");
    }
}
