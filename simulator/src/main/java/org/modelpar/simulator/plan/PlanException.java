package org.modelpar.simulator.plan;

/**
 * A plan that is malformed or does not fit its graph or cluster: the message names the field, stage, op
 * or device and the offending value. The command line turns it into exit code 2.
 */
public class PlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PlanException(String message) {
        super(message);
    }

    public PlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
