package org.modelpar.profiles;

/**
 * Caps that the device and cluster readers enforce before building anything, so a hostile or mistaken
 * input fails with a clear message instead of exhausting memory.
 *
 * @param maxFileBytes largest device or cluster file read, in bytes
 * @param maxDevices   most devices in one cluster (also bounds {@code NAME:N} and {@code local:N})
 * @param maxNodes     most nodes in one cluster
 */
public record ProfileLimits(long maxFileBytes, int maxDevices, int maxNodes) {
    /** 16 MiB files, 65,536 devices, 8,192 nodes: far above any real cluster file. */
    public static final ProfileLimits DEFAULT = new ProfileLimits(16L << 20, 65_536, 8_192);

    public ProfileLimits {
        if (maxFileBytes <= 0 || maxDevices <= 0 || maxNodes <= 0) {
            throw new ProfileException("profile limits must be positive, got maxFileBytes=" + maxFileBytes
                    + ", maxDevices=" + maxDevices + ", maxNodes=" + maxNodes);
        }
    }

    public ProfileLimits withMaxFileBytes(long bytes) {
        return new ProfileLimits(bytes, maxDevices, maxNodes);
    }

    public ProfileLimits withMaxDevices(int devices) {
        return new ProfileLimits(maxFileBytes, devices, maxNodes);
    }

    public ProfileLimits withMaxNodes(int nodeCount) {
        return new ProfileLimits(maxFileBytes, maxDevices, nodeCount);
    }
}
