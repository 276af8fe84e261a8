package org.modelpar.workflow;

/**
 * Bad input to a workflow step (a request field out of range, a file that cannot be written, a checkpoint
 * that does not fit the plan); the message names the field or file and the offending value.
 */
public class WorkflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WorkflowException(String message) {
        super(message);
    }
}
