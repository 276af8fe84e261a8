package org.modelpar.profiles;

/**
 * One device of a cluster.
 *
 * @param id      unique device id within the cluster (e.g. {@code n0g3})
 * @param node    name of the node holding it
 * @param profile its device type's profile
 */
public record ClusterDevice(String id, String node, DeviceProfile profile) {
    public ClusterDevice {
        if (id == null || id.isBlank()) {
            throw new ProfileException("device id must be a non-empty string, got '" + id + "'");
        }
        if (node == null || node.isBlank()) {
            throw new ProfileException("device '" + id + "': node must be a non-empty string");
        }
        if (profile == null) {
            throw new ProfileException("device '" + id + "': profile is required");
        }
    }

    public String type() {
        return profile.name();
    }
}
