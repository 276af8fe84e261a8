package org.modelpar.executor;

import java.util.Objects;
import org.modelpar.executor.transport.CollectiveSamples;

/**
 * One executed step.
 *
 * @param step      0-based step index
 * @param loss      mean loss over the global batch
 * @param seconds   wall time of the step
 * @param ringSteps the ring steps its collectives ran, timed ({@link CollectiveSamples}; none without collectives)
 */
public record StepResult(int step, double loss, double seconds, CollectiveSamples ringSteps) {
    public StepResult {
        Objects.requireNonNull(ringSteps, "ringSteps");
    }

    /** A step without timed ring steps. */
    public StepResult(int step, double loss, double seconds) {
        this(step, loss, seconds, CollectiveSamples.NONE);
    }
}
