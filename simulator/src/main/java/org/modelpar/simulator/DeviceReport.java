package org.modelpar.simulator;

import org.modelpar.simulator.memory.MemoryBreakdown;

/**
 * One device's share of a simulated step.
 *
 * @param stage                        stage the device serves
 * @param busyFraction                 compute-stream busy time / step time
 * @param bubbleFraction               1 - busyFraction - exposedCommunicationFraction: compute idle with no communication in flight
 * @param exposedCommunicationFraction time with communication in flight and the compute stream idle / step time
 * @param peakMemoryBytes              peak bytes
 * @param memory                       breakdown at the peak
 * @param capacityBytes                device memory
 */
public record DeviceReport(int stage, double busyFraction, double bubbleFraction, double exposedCommunicationFraction,
                           long peakMemoryBytes, MemoryBreakdown memory, long capacityBytes) {
}
