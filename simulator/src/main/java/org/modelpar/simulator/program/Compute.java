package org.modelpar.simulator.program;

/**
 * Forward or backward of this device's share of a stage for one micro-batch. A backward of a
 * recomputing stage first re-runs the forward from the stashed stage input.
 *
 * @param stage      stage index
 * @param microBatch micro-batch index, 0-based
 * @param direction  forward or backward
 * @param recompute  whether a backward recomputes the forward first
 */
public record Compute(int stage, int microBatch, Direction direction, boolean recompute) implements ComputeInstruction {
    @Override
    public String name() {
        return direction.shortName() + " s" + stage + " mb" + microBatch + (recompute && direction == Direction.BACKWARD ? " rc" : "");
    }
}
