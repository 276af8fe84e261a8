package org.modelpar.simulator.memory;

/**
 * Bytes on one device, by what they hold.
 *
 * @param parameters  weights in compute precision
 * @param gradients   gradients
 * @param optimizer   optimizer state (fp32 master weights, moments)
 * @param activations activations (stashed micro-batches and any recomputed micro-batch)
 * @param workspace   temporary op buffers
 */
public record MemoryBreakdown(long parameters, long gradients, long optimizer, long activations, long workspace) {
    public MemoryBreakdown {
        if (parameters < 0 || gradients < 0 || optimizer < 0 || activations < 0 || workspace < 0) {
            throw new IllegalArgumentException("memory bytes must be non-negative, got " + parameters + ", "
                    + gradients + ", " + optimizer + ", " + activations + ", " + workspace);
        }
    }

    /** Sum of all parts. */
    public long total() {
        return Math.addExact(Math.addExact(Math.addExact(parameters, gradients), Math.addExact(optimizer, activations)), workspace);
    }

    /** The same breakdown with {@code activations} replaced. */
    public MemoryBreakdown withActivations(long bytes) {
        return new MemoryBreakdown(parameters, gradients, optimizer, bytes, workspace);
    }
}
