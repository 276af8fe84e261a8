package org.modelpar.simulator.timeline;

/**
 * Bytes a device holds from a moment on.
 *
 * @param device    device id
 * @param atSeconds seconds since the timeline's origin
 * @param bytes     allocated bytes
 */
public record MemorySample(String device, double atSeconds, long bytes) {
}
