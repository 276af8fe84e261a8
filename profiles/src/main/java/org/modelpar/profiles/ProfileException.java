package org.modelpar.profiles;

/**
 * A device, link or cluster description that is malformed or invalid: the message names the file,
 * field or id and the offending value. The command line turns it into exit code 2.
 */
public class ProfileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
