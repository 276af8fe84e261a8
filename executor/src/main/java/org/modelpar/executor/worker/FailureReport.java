package org.modelpar.executor.worker;

import java.nio.charset.StandardCharsets;

/**
 * A worker's own failure, as it tells the coordinator ({@code Fail} call).
 *
 * @param rank         the worker's rank
 * @param causedByPeer whether it follows from another rank's (a send to a peer whose connection broke): the coordinator
 *                     then waits a grace period, so the rank that was lost is the one it names
 * @param where        where the worker's progress was (an instruction, {@code start-up})
 * @param why          the failure's reason, one line
 */
record FailureReport(int rank, boolean causedByPeer, String where, String why) {
    byte[] encode() {
        return (rank + "\n" + causedByPeer + "\n" + where + "\n" + why).getBytes(StandardCharsets.UTF_8);
    }

    /** The report {@link #encode} wrote; {@code why} keeps its own line breaks. */
    static FailureReport decode(byte[] bytes) {
        String[] f = new String(bytes, StandardCharsets.UTF_8).split("\n", 4);
        return new FailureReport(Integer.parseInt(f[0]), Boolean.parseBoolean(f[1]), f[2], f[3]);
    }
}
