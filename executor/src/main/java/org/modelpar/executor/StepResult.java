package org.modelpar.executor;

import java.util.Objects;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.TransportLoad;

/**
 * One executed step.
 *
 * @param step      0-based step index
 * @param loss      mean loss over the global batch
 * @param seconds   wall time of the step
 * @param ringSteps the ring steps of its collective calls, each call's on its slowest member, timed
 *                  ({@link CallSamples}; none without collectives)
 * @param backgroundCpuSeconds the CPU time its processes spent outside the devices' threads and the transport's event
 *                             loop during the step ({@link ProcessCpu}; several processes: their sum)
 * @param transport   what its processes' transports moved between processes during the step, and their event loops' CPU
 *                    time ({@link TransportLoad}; several processes: their sum)
 * @param collections the garbage collections that paused its processes during the step ({@link GarbageCollections};
 *                    several processes: their sum)
 */
public record StepResult(int step, double loss, double seconds, CallSamples ringSteps, double backgroundCpuSeconds,
                         TransportLoad transport, long collections) {
    public StepResult {
        Objects.requireNonNull(ringSteps, "ringSteps");
        Objects.requireNonNull(transport, "transport");
        if (!(backgroundCpuSeconds >= 0)) {
            throw new IllegalArgumentException("step " + step + " background CPU " + backgroundCpuSeconds + " s, must be >= 0");
        }
        if (collections < 0) {
            throw new IllegalArgumentException("step " + step + " garbage collections " + collections + ", must be >= 0");
        }
    }

    /** A step without timed ring steps, background CPU time, transport load or garbage collections. */
    public StepResult(int step, double loss, double seconds) {
        this(step, loss, seconds, CallSamples.NONE, 0, TransportLoad.NONE, 0);
    }
}
