package org.modelpar.executor.kernel;

/**
 * Where one input of an op comes from: another op's output, the step's input data (token ids or
 * features) or its targets.
 *
 * @param kind       producer op, input data or targets
 * @param producerId the producing op's id for {@link Kind#OP}, empty otherwise
 */
public record Source(Kind kind, String producerId) {
    /** Source kinds. */
    public enum Kind { OP, INPUT, TARGETS }

    public static Source op(String producerId) {
        return new Source(Kind.OP, producerId);
    }

    public static final Source INPUT = new Source(Kind.INPUT, "");
    public static final Source TARGETS = new Source(Kind.TARGETS, "");
}
