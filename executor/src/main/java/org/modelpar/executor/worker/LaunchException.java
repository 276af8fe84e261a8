package org.modelpar.executor.worker;

/**
 * A worker process that does not fit its run, as a launcher (Slurm, Kubernetes, a hand-written script) set it up: its
 * world size is not the plan's device count, or another worker already joined with its rank. The command line reports it
 * as bad input: the fix is in the launch, not in modelpar.
 */
public final class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }
}
