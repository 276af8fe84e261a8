package org.modelpar.executor.worker;

import org.modelpar.executor.FaultHook;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Stream;

/**
 * What a worker is doing, for its heartbeat: the instruction its device started last (the executor calls
 * every {@link FaultHook} before each instruction) and how many it has started. A worker thread writes it, the
 * heartbeat thread reads it.
 */
final class Progress implements FaultHook {
    private final FaultHook next;
    private volatile Beat beat = new Beat(0, false, "start-up");

    /** @param next the hook to call after recording (tests inject faults through it) */
    Progress(FaultHook next) {
        this.next = next;
    }

    /**
     * @param started instructions started so far
     * @param compute whether the last one runs on the compute stream (it does not wait for another rank)
     * @param where   {@code step S instruction I 'NAME'}, or {@code start-up} before the first
     */
    record Beat(long started, boolean compute, String where) {
        String encode(int rank) {
            return rank + "\n" + started + "\n" + compute + "\n" + where;
        }

        /** The rank and the beat of a heartbeat message. */
        static java.util.Map.Entry<Integer, Beat> decode(String text) {
            String[] f = text.split("\n", 4);
            return java.util.Map.entry(Integer.parseInt(f[0]), new Beat(Long.parseLong(f[1]), Boolean.parseBoolean(f[2]), f[3]));
        }
    }

    @Override
    public void beforeInstruction(String device, int step, int index, Instruction instruction) {
        Beat last = beat;
        beat = new Beat(last.started() + 1, instruction.stream() == Stream.COMPUTE,
                "step " + step + " instruction " + index + " '" + instruction.name() + "'");
        next.beforeInstruction(device, step, index, instruction);
    }

    /**
     * The worker waits for the coordinator ({@code what}) between its instructions: not a compute instruction, so a
     * coordinator that takes its time is not taken for a hung worker (a silent one still is).
     */
    void waiting(String what) {
        Beat last = beat;
        beat = new Beat(last.started(), false, what);
    }

    Beat now() {
        return beat;
    }
}
