package org.modelpar.profiles.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.ProfileLimits;

/** One pass over a {@code modelpar-cluster/1} tree: validates every field with its path, then builds the spec. */
final class ClusterReader {
    private static final Set<String> FIELDS =
            Set.of("format", "name", "description", "deviceTypes", "nodes", "intraNode", "interNode");
    private static final Set<String> NODE_FIELDS = Set.of("name", "host", "devices", "intraNode", "interNode", "computeCapacity",
            "processLink");
    private static final Set<String> DEVICE_FIELDS = Set.of("id", "type");
    private static final Set<String> LINK_FIELDS = Set.of("bandwidthBytesPerSecond", "latencySeconds");

    private final Json root;
    private final ProfileLimits limits;
    private final Function<String, Optional<DeviceProfile>> knownDevices;
    private final List<String> knownNames;
    private final Map<String, DeviceProfile> inline = new LinkedHashMap<>();
    private final Map<String, DeviceProfile> resolved = new HashMap<>();

    ClusterReader(Json root, ProfileLimits limits, Function<String, Optional<DeviceProfile>> knownDevices,
                  List<String> knownNames) {
        this.root = root;
        this.limits = limits;
        this.knownDevices = knownDevices;
        this.knownNames = knownNames;
    }

    ClusterSpec read() {
        root.allowOnly(FIELDS);
        String name = root.field("name").nonBlankString();
        root.field("description").optionalString();
        Json types = root.field("deviceTypes");
        if (types.present()) {
            for (Map.Entry<String, Json> e : types.members()) {
                if (e.getKey().isBlank()) {
                    throw e.getValue().error("device type name must be non-empty");
                }
                inline.put(e.getKey(), DeviceJson.fromJson(e.getValue().requireObject(), Optional.of(e.getKey())));
            }
        }
        LinkProfile intra = link(root.field("intraNode"));
        LinkProfile inter = link(root.field("interNode"));
        List<Json> nodes = root.field("nodes").nonEmptyArray();
        if (nodes.size() > limits.maxNodes()) {
            throw root.field("nodes").error(nodes.size() + " nodes, above the limit of " + limits.maxNodes());
        }
        List<ClusterDevice> devices = new ArrayList<>();
        Map<String, String> deviceAt = new HashMap<>();
        Map<String, String> nodeAt = new HashMap<>();
        Map<String, NodeLinks> nodeLinks = new LinkedHashMap<>();
        Map<String, Double> computeCapacity = new LinkedHashMap<>();
        Map<String, String> hosts = new LinkedHashMap<>();
        Map<String, LinkProfile> processLinks = new LinkedHashMap<>();
        for (Json node : nodes) {
            node.allowOnly(NODE_FIELDS);
            String nodeName = node.field("name").nonBlankString();
            String first = nodeAt.putIfAbsent(nodeName, node.path());
            if (first != null) {
                throw node.field("name").error("duplicate node name \"" + nodeName + "\" (first at " + first + ")");
            }
            if (node.field("host").present()) {
                hosts.put(nodeName, node.field("host").nonBlankString());
            }
            for (Json d : node.field("devices").nonEmptyArray()) {
                if (devices.size() >= limits.maxDevices()) {
                    throw d.error("more than " + limits.maxDevices() + " devices, the limit");
                }
                d.allowOnly(DEVICE_FIELDS);
                String id = d.field("id").nonBlankString();
                String seen = deviceAt.putIfAbsent(id, d.path());
                if (seen != null) {
                    throw d.field("id").error("duplicate device id \"" + id + "\" (first at " + seen + ")");
                }
                String type = d.field("type").nonBlankString();
                devices.add(new ClusterDevice(id, nodeName, profile(d.field("type"), type, nodeName, id)));
            }
            if (node.field("intraNode").present() || node.field("interNode").present()) {
                LinkProfile own = node.field("intraNode").present() ? link(node.field("intraNode")) : intra;
                LinkProfile ownInter = node.field("interNode").present() ? link(node.field("interNode")) : inter;
                nodeLinks.put(nodeName, new NodeLinks(own, ownInter));
            }
            if (node.field("processLink").present()) {
                processLinks.put(nodeName, link(node.field("processLink")));
            }
            if (node.field("computeCapacity").present()) {
                Json c = node.field("computeCapacity");
                double capacity = c.positive();
                long count = devices.stream().filter(d -> d.node().equals(nodeName)).count();
                if (capacity < 1 || capacity > count) {
                    throw c.error("must be between 1 and the node's " + count + " devices, got " + capacity);
                }
                computeCapacity.put(nodeName, capacity);
            }
        }
        try {
            return new ClusterSpec(name, devices, intra, inter, nodeLinks, computeCapacity, hosts, processLinks);
        } catch (ProfileException e) {
            throw root.error(e.getMessage());
        }
    }

    private DeviceProfile profile(Json at, String type, String node, String id) {
        DeviceProfile p = inline.get(type);
        if (p == null) {
            p = resolved.computeIfAbsent(type, t -> knownDevices.apply(t).orElse(null));
        }
        if (p == null) {
            throw at.error("unknown device type \"" + type + "\" for device \"" + id + "\" on node \"" + node
                    + "\"; known types: " + ClusterJson.known(List.copyOf(inline.keySet()), knownNames));
        }
        return p;
    }

    private static LinkProfile link(Json field) {
        field.required().allowOnly(LINK_FIELDS);
        return new LinkProfile(field.field("bandwidthBytesPerSecond").positive(),
                field.field("latencySeconds").nonNegative());
    }
}
