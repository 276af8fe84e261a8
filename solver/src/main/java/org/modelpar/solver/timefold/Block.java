package org.modelpar.solver.timefold;

/**
 * One op block (a group of consecutive ops of the coarsened graph) with its costs on every stage, a
 * problem fact. Costs per stage come from the simulator's cost and memory models for that stage's device
 * group, schedule, micro-batches and recomputation; integers keep the score exact.
 *
 * @param index            position in the chain order (a topological order of the blocks)
 * @param name             first and last op, for messages
 * @param computeNanos     per stage: forward + backward time of one micro-batch on that stage's devices
 * @param allReduceNanos   per stage: this block's share of the stage's data-parallel gradient all-reduce,
 *                         amortized per micro-batch
 * @param memoryBytes      per stage: peak bytes this block adds on one device of that stage
 */
public record Block(int index, String name, long[] computeNanos, long[] allReduceNanos, long[] memoryBytes) {
    public Block {
        if (computeNanos.length != allReduceNanos.length || computeNanos.length != memoryBytes.length) {
            throw new IllegalArgumentException("block " + name + ": cost arrays must have one entry per stage");
        }
        computeNanos = computeNanos.clone();
        allReduceNanos = allReduceNanos.clone();
        memoryBytes = memoryBytes.clone();
    }

    /** Time this block adds to a stage: compute plus its all-reduce share. */
    public long stageNanos(int stage) {
        return computeNanos[stage] + allReduceNanos[stage];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Block b && b.index == index;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(index);
    }

    @Override
    public String toString() {
        return "block" + index + "(" + name + ")";
    }
}
