package org.modelpar.executor.worker;

/**
 * A launch that does not fit its run, as a launcher (Slurm, Kubernetes, a hand-written script) set it up: a worker's
 * world size is not the plan's device count, another worker already joined with its rank, or another process holds the
 * coordinator's port. The command line reports it as bad input: the fix is in the launch, not in modelpar.
 */
public final class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }
}
