package org.modelpar.simulator.engine;

import java.util.List;
import java.util.Optional;
import org.modelpar.simulator.memory.MemoryBreakdown;
import org.modelpar.simulator.memory.OutOfMemoryEvent;
import org.modelpar.simulator.timeline.Timeline;

/**
 * What the engine simulated: the step's timeline (memory samples only when asked for), what each device
 * executed and held, and the first out-of-memory moment.
 *
 * @param timeline    every instruction's simulated start and end, and the critical path
 * @param events      events processed (instruction completions, flow starts and ends)
 * @param devices     per device, in step-program order
 * @param outOfMemory the first moment a device ran out of memory, if any
 */
public record StepRun(Timeline timeline, long events, List<DeviceRun> devices, Optional<OutOfMemoryEvent> outOfMemory) {
    public StepRun {
        devices = List.copyOf(devices);
    }

    /**
     * One device.
     *
     * @param device        device id
     * @param stage         the stage it serves
     * @param executedFlops FLOPs it executed, counting recomputation
     * @param modelFlops    model FLOPs, without recomputation
     * @param peakMemory    what it held at its peak
     * @param capacityBytes its memory
     */
    public record DeviceRun(String device, int stage, double executedFlops, double modelFlops, MemoryBreakdown peakMemory,
                            long capacityBytes) {
    }
}
