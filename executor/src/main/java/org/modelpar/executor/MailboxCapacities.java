package org.modelpar.executor;

import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.executor.transport.Mailbox;
import org.modelpar.simulator.program.Collective;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.TensorCollective;

/** How many messages each device's mailbox holds: the one rule, for threads and for worker processes alike. */
public final class MailboxCapacities {
    private MailboxCapacities() {
    }

    /**
     * The mailbox capacity each device needs: its receives per step, and the chunks in flight of every ring it
     * belongs to. A member of a ring runs at most two steps ahead of its successor, but the members of different
     * rings (the tensor-parallel group, each gradient all-reduce, reduce-scatter or gather, the tied weights') run
     * independently: a peer may start a data-parallel all-reduce while this device still waits in a
     * tensor-parallel one, so each ring gets its own room, else the early ring's chunks can fill the mailbox and
     * block the chunk this device waits for.
     */
    public static Map<String, Integer> of(StepProgram program) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int overlapped = program.plan().options().overlapGradientReduce() ? 1 : 0;
        int tensorRing = program.plan().tensorParallel() > 1 ? 1 : 0;
        for (DeviceProgram p : program.programs()) {
            int receives = (int) p.instructions().stream().filter(i -> i instanceof Recv).count();
            int rings = tensorRing + overlapped + (int) p.instructions().stream()
                    .filter(i -> i instanceof Collective c && !(i instanceof TensorCollective) && c.group().size() > 1).count();
            out.put(p.device(), Mailbox.capacityFor(receives, rings));
        }
        return out;
    }
}
