package org.modelpar.profiles;

/**
 * A link class between devices: a transfer of S bytes takes {@code latencySeconds + S / bandwidthBytesPerSecond}.
 *
 * @param bandwidthBytesPerSecond per-device bandwidth of the link, positive
 * @param latencySeconds          per-message latency, non-negative
 */
public record LinkProfile(double bandwidthBytesPerSecond, double latencySeconds) {
    public LinkProfile {
        if (!Double.isFinite(bandwidthBytesPerSecond) || bandwidthBytesPerSecond <= 0) {
            throw new ProfileException("bandwidthBytesPerSecond must be finite and positive, got " + bandwidthBytesPerSecond);
        }
        if (!Double.isFinite(latencySeconds) || latencySeconds < 0) {
            throw new ProfileException("latencySeconds must be finite and non-negative, got " + latencySeconds);
        }
    }

    /** Time of one point-to-point transfer of {@code bytes} over this link. */
    public double transferSeconds(double bytes) {
        return latencySeconds + bytes / bandwidthBytesPerSecond;
    }
}
