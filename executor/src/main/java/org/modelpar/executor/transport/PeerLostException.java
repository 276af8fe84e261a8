package org.modelpar.executor.transport;

/**
 * A send failed because the connection to the peer process broke: the failure is the peer's (its process died, its
 * host went away), and the sender's is a consequence, which a coordinator names only if nothing names the peer.
 */
public final class PeerLostException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PeerLostException(String address, String why) {
        super("connection to " + address + " lost: " + why);
    }

    /** Whether {@code failure} or one of its causes is a lost peer. */
    public static boolean causes(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PeerLostException) {
                return true;
            }
        }
        return false;
    }
}
