package org.modelpar.cli;

/** Bad command-line input found after parsing (unknown model, unreadable file): exit code 2. */
public class CliInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliInputException(String message) {
        super(message);
    }
}
