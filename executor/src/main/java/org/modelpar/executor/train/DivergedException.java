package org.modelpar.executor.train;

/**
 * Training stopped because a step's loss is not finite (NaN or infinite); names the step, the loss and, with worker
 * processes, the rank whose share it is. Threads and processes check the loss by one rule ({@link #requireFinite}).
 */
public class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DivergedException(int step, double loss, double learningRate) {
        this(step, loss, "", learningRate);
    }

    private DivergedException(int step, double loss, String where, double learningRate) {
        super("training diverged: the loss of step " + step + " is " + loss + where + " at learning rate " + learningRate
                + "; a smaller learning rate may converge");
    }

    /**
     * Passes a finite loss of {@code step}.
     *
     * @throws DivergedException when {@code loss} is NaN or infinite
     */
    public static void requireFinite(int step, double loss, double learningRate) {
        if (!Double.isFinite(loss)) {
            throw new DivergedException(step, loss, learningRate);
        }
    }

    /**
     * Passes a finite loss share of {@code step} computed by rank {@code rank} (device {@code device}).
     *
     * @throws DivergedException naming the rank and its device when {@code loss} is NaN or infinite
     */
    public static void requireFinite(int step, double loss, int rank, String device, double learningRate) {
        if (!Double.isFinite(loss)) {
            throw new DivergedException(step, loss, " on rank " + rank + " (" + device + ")", learningRate);
        }
    }
}
