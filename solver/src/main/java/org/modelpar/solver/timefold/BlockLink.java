package org.modelpar.solver.timefold;

import org.modelpar.graph.SentBytes;

/**
 * The tensors of one producing op's output from its block to a later block, per micro-batch (forward
 * activation; the backward gradient has the same size). A problem fact.
 *
 * @param from   producing block index
 * @param to     consuming block index, greater than {@code from}
 * @param bytes  bytes per micro-batch in one direction
 * @param output the producing op's output, shared by its links to other blocks
 */
public record BlockLink(int from, int to, long bytes, Output output) {
    /**
     * One op's output that leaves its block. A stage sends it once and each stage reading it receives it
     * once: {@link #sent} of the summed bytes of its links that cross.
     *
     * @param index the output's number within the problem
     * @param bytes the whole output per micro-batch ({@link SentBytes#outputBytes})
     */
    public record Output(int index, long bytes) {
        public Output {
            if (index < 0 || bytes < 0) {
                throw new IllegalArgumentException("output " + index + " needs index >= 0 and bytes >= 0, got " + bytes);
            }
        }

        /** Bytes sent for links carrying {@code linkBytes} in all ({@link SentBytes}). */
        public long sent(long linkBytes) {
            return SentBytes.of(linkBytes, bytes);
        }
    }

    public BlockLink {
        if (from < 0 || to <= from || bytes < 0 || output == null) {
            throw new IllegalArgumentException("link " + from + " -> " + to + " must go forward with bytes >= 0 and an output,"
                    + " got " + bytes);
        }
    }

    /** A link that is its producer's only one and carries the whole output (output index = from block). */
    public static BlockLink whole(int from, int to, long bytes) {
        return new BlockLink(from, to, bytes, new Output(from, bytes));
    }
}
