package org.modelpar.executor.train;

/** A checkpoint that cannot be read or written: missing, truncated, altered or of another model. */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
