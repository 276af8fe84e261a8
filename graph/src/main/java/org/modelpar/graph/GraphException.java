package org.modelpar.graph;

/**
 * A graph that is malformed or invalid: the message names the culprit (file, line, op or tensor id,
 * field) and the offending value. The command line turns it into exit code 2. Messages are kept on one
 * line: line breaks and other control characters (which may come from a file's keys or values) are escaped.
 */
public class GraphException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GraphException(String message) {
        super(oneLine(message));
    }

    public GraphException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(message.length());
        message.chars().forEach(c -> b.append(c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029
                ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }
}
