package org.modelpar.workflow.export;

/**
 * A plan that cannot be written in a framework's terms (a stage boundary cuts a layer, uneven data
 * parallelism, a model that is not a transformer for Megatron-LM), or an unknown format name; the message
 * names the stage, op or layer and the offending value.
 */
public class ExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }
}
