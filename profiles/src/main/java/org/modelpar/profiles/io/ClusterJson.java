package org.modelpar.profiles.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.Optional;
import org.modelpar.profiles.Catalog;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.profiles.ProfileLimits;

/**
 * Reads and writes {@code modelpar-cluster/1} (docs/profiles.md#file-formats): {@code name}, optional {@code description},
 * optional {@code deviceTypes} (name -> inline device), {@code nodes} ([{@code name}, optional {@code host},
 * {@code devices}: [{@code id}, {@code type}], optional own {@code intraNode}/{@code interNode}]), {@code intraNode} and {@code interNode}
 * ({@code bandwidthBytesPerSecond}, {@code latencySeconds}). A {@code type} names a {@code deviceTypes} key or a
 * catalog device; {@code interNode} bandwidth is each device's share of its node's NICs, one direction.
 */
public final class ClusterJson {
    /** The value of the {@code format} field. */
    public static final String FORMAT = "modelpar-cluster/1";

    private ClusterJson() {
    }

    /** Reads a cluster file with the default limits; types resolve against the file, then the catalog. */
    public static ClusterSpec read(Path file) {
        return read(file, ProfileLimits.DEFAULT);
    }

    public static ClusterSpec read(Path file, ProfileLimits limits) {
        return parse(JsonText.readFile(file, limits), file.toString(), limits);
    }

    /** Parses cluster JSON text; {@code source} names it in error messages. */
    public static ClusterSpec parse(String json, String source) {
        return parse(json, source, ProfileLimits.DEFAULT);
    }

    public static ClusterSpec parse(String json, String source, ProfileLimits limits) {
        return parse(json, source, limits, Catalog::findDevice, Catalog.deviceNames());
    }

    /** Parses with an explicit device resolver (the catalog uses this to read its own cluster files). */
    public static ClusterSpec parse(String json, String source, ProfileLimits limits,
                                    Function<String, Optional<DeviceProfile>> knownDevices, List<String> knownNames) {
        Json root = Json.root(JsonText.parse(json, source, limits), source).requireObject();
        String format = root.field("format").string();
        if (!format.equals(FORMAT)) {
            throw root.field("format").error("expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        return new ClusterReader(root, limits, knownDevices, knownNames).read();
    }

    /** Writes a cluster file: self-contained (every device type inline), pretty-printed, deterministic. */
    public static String write(ClusterSpec cluster) {
        return DeviceJson.pretty(toJson(cluster));
    }

    /**
     * {@code "sha256:<hex>"} of the canonical (compact, self-contained) JSON of a cluster: two clusters with the
     * same devices, numbers and links have the same hash whatever file they came from. Plan files record it.
     */
    public static String contentHash(ClusterSpec cluster) {
        try {
            byte[] canonical = JsonText.MAPPER.writeValueAsString(toJson(cluster)).getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash cluster " + cluster.name(), e);
        }
    }

    static ObjectNode toJson(ClusterSpec cluster) {
        ObjectNode o = JsonText.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("name", cluster.name());
        ObjectNode types = o.putObject("deviceTypes");
        cluster.deviceTypes().forEach((name, profile) -> types.set(name, DeviceJson.toJson(profile, false)));
        ArrayNode nodes = o.putArray("nodes");
        for (Map.Entry<String, List<ClusterDevice>> node : cluster.nodes().entrySet()) {
            ObjectNode n = nodes.addObject();
            n.put("name", node.getKey());
            cluster.hostOf(node.getKey()).ifPresent(h -> n.put("host", h));
            ArrayNode devices = n.putArray("devices");
            node.getValue().forEach(d -> devices.addObject().put("id", d.id()).put("type", d.type()));
            NodeLinks own = cluster.nodeLinks().get(node.getKey());
            if (own != null) {
                link(n.putObject("intraNode"), own.intraNode());
                link(n.putObject("interNode"), own.interNode());
            }
            Double capacity = cluster.computeCapacity().get(node.getKey());
            if (capacity != null) {
                n.put("computeCapacity", capacity);
            }
            LinkProfile process = cluster.processLinks().get(node.getKey());
            if (process != null) {
                link(n.putObject("processLink"), process);
            }
        }
        link(o.putObject("intraNode"), cluster.intraNode());
        link(o.putObject("interNode"), cluster.interNode());
        return o;
    }

    private static void link(ObjectNode o, LinkProfile link) {
        o.put("bandwidthBytesPerSecond", link.bandwidthBytesPerSecond());
        o.put("latencySeconds", link.latencySeconds());
    }

    /** Lists the names a type may take, for "unknown device type" messages. */
    static String known(List<String> inline, List<String> catalog) {
        List<String> all = new ArrayList<>(inline);
        catalog.stream().filter(n -> !inline.contains(n)).forEach(all::add);
        return String.join(", ", all);
    }
}
