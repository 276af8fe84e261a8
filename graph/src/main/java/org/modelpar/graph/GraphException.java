package org.modelpar.graph;

/**
 * A graph that is malformed or invalid: the message names the culprit (file, line, op or tensor id,
 * field) and the offending value. The command line turns it into exit code 2.
 */
public class GraphException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
