package org.modelpar.executor;

/**
 * One executed step.
 *
 * @param step    0-based step index
 * @param loss    mean loss over the global batch
 * @param seconds wall time of the step
 */
public record StepResult(int step, double loss, double seconds) {
}
