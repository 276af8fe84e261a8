package org.modelpar.executor;

import java.util.List;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.TensorCollective;

/**
 * How long a device's tensor-parallel collectives ({@link TensorRing}) or expert exchanges ({@link ExpertExchange}) took;
 * none without either.
 */
@FunctionalInterface
interface CollectiveClock {
    CollectiveClock NONE = () -> 0;

    /** Nanoseconds (on the run's ticker) spent in collectives since the last call. */
    long takeNanos();

    /**
     * Where a worker's instructions are recorded: a compute followed by its pass's {@link TensorCollective} ends where
     * the collectives it ran began, and the {@code TensorCollective} (which runs nothing) covers them, so measured
     * tensor-parallel communication has its own spans, as the simulator's has. Every other instruction as it ran (the
     * step-end {@code TensorCollective} too: it runs its all-reduce itself).
     */
    final class Spans {
        private final CollectiveClock clock;
        private long collectivesNanos;
        private long computeEnd;

        Spans(CollectiveClock clock) {
            this.clock = clock;
        }

        /** The {start, end} (ticker nanoseconds) to record instruction {@code i} of {@code program} with, which ran over them. */
        long[] span(List<Instruction> program, int i, long start, long end) {
            long collectives = clock.takeNanos();
            Instruction in = program.get(i);
            if (inside(in)) {
                return new long[] {computeEnd - collectivesNanos, computeEnd};
            }
            if (in instanceof Compute && i + 1 < program.size() && inside(program.get(i + 1))) {
                collectivesNanos = collectives;
                computeEnd = end;
                return new long[] {start, end - collectives};
            }
            return new long[] {start, end};
        }

        /** Whether {@code in} records communication that ran inside the compute before it. */
        private static boolean inside(Instruction in) {
            return in instanceof TensorCollective tc && !tc.atStepEnd() || in instanceof ExpertAllToAll;
        }
    }
}
