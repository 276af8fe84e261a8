package org.modelpar.profiles;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster: devices grouped in nodes, an intra-node link class (e.g. NVLink) and an inter-node link
 * class (the per-device share of the node's NICs). Devices keep their declaration order.
 *
 * @param name      cluster name
 * @param devices   all devices, node by node
 * @param intraNode link between two devices of one node
 * @param interNode link between devices of different nodes
 */
public record ClusterSpec(String name, List<ClusterDevice> devices, LinkProfile intraNode, LinkProfile interNode) {
    public ClusterSpec {
        if (name == null || name.isBlank()) {
            throw new ProfileException("cluster name must be a non-empty string, got '" + name + "'");
        }
        if (devices == null || devices.isEmpty()) {
            throw new ProfileException("cluster '" + name + "' has no devices");
        }
        devices = List.copyOf(devices);
        Map<String, ClusterDevice> seen = new LinkedHashMap<>();
        for (ClusterDevice d : devices) {
            if (seen.putIfAbsent(d.id(), d) != null) {
                throw new ProfileException("cluster '" + name + "': duplicate device id '" + d.id() + "'");
            }
        }
        if (intraNode == null || interNode == null) {
            throw new ProfileException("cluster '" + name + "': intraNode and interNode links are required");
        }
    }

    public Optional<ClusterDevice> device(String id) {
        return devices.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    /** Node names in declaration order, each with its devices. */
    public Map<String, List<ClusterDevice>> nodes() {
        Map<String, List<ClusterDevice>> byNode = new LinkedHashMap<>();
        for (ClusterDevice d : devices) {
            byNode.computeIfAbsent(d.node(), k -> new ArrayList<>()).add(d);
        }
        byNode.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(byNode);
    }

    /** Distinct device profiles by type name, in declaration order. */
    public Map<String, DeviceProfile> deviceTypes() {
        Map<String, DeviceProfile> types = new LinkedHashMap<>();
        devices.forEach(d -> types.putIfAbsent(d.type(), d.profile()));
        return Collections.unmodifiableMap(types);
    }

    /** The link class between two devices: intra-node when they share a node, else inter-node. */
    public LinkProfile link(ClusterDevice a, ClusterDevice b) {
        return a.node().equals(b.node()) ? intraNode : interNode;
    }

    public long totalMemoryBytes() {
        return devices.stream().mapToLong(d -> d.profile().memoryBytes()).reduce(0L, Math::addExact);
    }
}
