package org.modelpar.simulator.program;

/**
 * Releases the activations stashed for one micro-batch of the stage (after its backward).
 *
 * @param stage      stage index
 * @param microBatch micro-batch index
 */
public record Free(int stage, int microBatch) implements ComputeInstruction {
    @Override
    public String name() {
        return "free s" + stage + " mb" + microBatch;
    }
}
