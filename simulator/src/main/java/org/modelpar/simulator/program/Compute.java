package org.modelpar.simulator.program;

/**
 * Forward or backward of this device's share of a stage for one micro-batch, or of one of its parameter units. A
 * backward of a recomputing stage first re-runs the forward from the stashed stage input. With ZeRO stage 3 a pass
 * runs unit by unit ({@link org.modelpar.simulator.plan.ParameterUnit}: a forward from unit 0, a backward from the
 * last unit), each part after its unit's parameters are gathered.
 *
 * @param stage      stage index
 * @param microBatch micro-batch index, 0-based
 * @param direction  forward or backward
 * @param recompute  whether a backward recomputes the forward first
 * @param part       the unit this part runs, 0 when the pass is one part
 * @param parts      the parts of the pass: its units, or 1
 */
public record Compute(int stage, int microBatch, Direction direction, boolean recompute, int part, int parts)
        implements ComputeInstruction {
    public Compute {
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts + " parts is not a part of a pass");
        }
    }

    /** The whole pass as one instruction. */
    public Compute(int stage, int microBatch, Direction direction, boolean recompute) {
        this(stage, microBatch, direction, recompute, 0, 1);
    }

    /** Whether the pass starts with this part: unit 0 of a forward, the last unit of a backward. */
    public boolean startsPass() {
        return part == (direction == Direction.FORWARD ? 0 : parts - 1);
    }

    /** Whether the pass ends with this part. */
    public boolean endsPass() {
        return part == (direction == Direction.FORWARD ? parts - 1 : 0);
    }

    @Override
    public String name() {
        return direction.shortName() + " s" + stage + " mb" + microBatch + (parts > 1 ? " u" + part : "")
                + (recompute && direction == Direction.BACKWARD ? " rc" : "");
    }
}
