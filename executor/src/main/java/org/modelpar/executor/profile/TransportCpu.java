package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.transport.TransportLoad;
import org.modelpar.simulator.timeline.SteadyStep;

/**
 * The CPU time each byte moved between a run's worker processes cost their transports' event loops ({@link
 * TransportLoad}), from the run's own steps: the typical step's event-loop time over its bytes ({@link Timing#typical}),
 * of the steps no garbage collection paused as {@link BackgroundCpu} takes them. The simulator spends it on the host's
 * cores while each message travels ({@code CostModel.transportCpuSeconds}), so on a host whose workers share the cores
 * it slows the compute it overlaps, as the run's messages did; what the run's event loops spent is no longer part of its
 * background ({@link StepResult#backgroundCpuSeconds}), which the simulation charges evenly over the step. Taken from
 * the plan's own messages, it prices their own mix of sizes (a message's fixed cost spread over its bytes).
 */
public final class TransportCpu {
    private final List<Step> steps = new ArrayList<>();

    private record Step(double secondsPerByte, boolean paused) {
    }

    /** Adds a step that moved bytes between processes; one that moved none (worker threads) tells nothing. */
    public void add(StepResult step) {
        TransportLoad load = step.transport();
        if (load.bytes() > 0) {
            steps.add(new Step(load.cpuSeconds() / load.bytes(), step.collections() > 0));
        }
    }

    /** The typical step's event-loop CPU seconds per byte moved; 0 when no step moved a byte. */
    public double secondsPerByte() {
        return steps.isEmpty() ? 0
                : Timing.typical(SteadyStep.unpausedOrAll(steps, Step::paused).stream().mapToDouble(Step::secondsPerByte).toArray());
    }
}
