package org.modelpar.simulator.program;

/**
 * Releases the activations stashed for one micro-batch of the stage (after its backward).
 *
 * @param stage      stage index
 * @param microBatch micro-batch index
 */
public record Free(int stage, int microBatch) implements Instruction {
    @Override
    public String name() {
        return "free s" + stage + " mb" + microBatch;
    }

    @Override
    public Stream stream() {
        return Stream.COMPUTE;
    }

    @Override
    public long bytes() {
        return 0;
    }
}
