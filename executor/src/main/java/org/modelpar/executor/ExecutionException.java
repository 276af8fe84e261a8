package org.modelpar.executor;

/**
 * A device failed while executing its program; names the device, the step and the instruction.
 */
public class ExecutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String device;
    private final String instruction;

    public ExecutionException(String device, String instruction, String message, Throwable cause) {
        super("device " + device + " failed at " + instruction + ": " + message, cause);
        this.device = device;
        this.instruction = instruction;
    }

    /** The failing device's id. */
    public String device() {
        return device;
    }

    /** What {@code e} says went wrong: its message, or its kind where it has none (an end of input, a null). */
    public static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The failing instruction, e.g. {@code step 3 instruction 7 'B s1 mb2'}. */
    public String instruction() {
        return instruction;
    }
}
