package org.modelpar.simulator.memory;

/**
 * The first moment a simulated device needed more memory than it has.
 *
 * @param device        device id
 * @param atSeconds     simulated time
 * @param neededBytes   bytes the device needed then
 * @param capacityBytes its memory
 * @param breakdown     what it held at that moment
 */
public record OutOfMemoryEvent(String device, double atSeconds, long neededBytes, long capacityBytes,
                               MemoryBreakdown breakdown) {
}
