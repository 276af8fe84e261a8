package org.modelpar.solver.timefold;

/**
 * The tensors from one block to another, summed, per micro-batch (forward activation; the backward
 * gradient has the same size). A problem fact.
 *
 * @param from  producing block index
 * @param to    consuming block index, greater than {@code from}
 * @param bytes bytes per micro-batch in one direction
 */
public record BlockLink(int from, int to, long bytes) {
    public BlockLink {
        if (from < 0 || to <= from || bytes < 0) {
            throw new IllegalArgumentException("link " + from + " -> " + to + " must go forward with bytes >= 0, got " + bytes);
        }
    }

    /** Transfer time charged to the sending stage (on its outbound link). */
    public long sendNanos(StageSlot sender) {
        return sender.outbound().roundTripNanos(bytes);
    }

    /** Transfer time charged to the receiving stage (on its inbound link). */
    public long receiveNanos(StageSlot receiver) {
        return receiver.inbound().roundTripNanos(bytes);
    }
}
