package org.modelpar.profiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.profiles.io.DeviceJson;

/**
 * The shipped catalog of real devices and clusters: JSON files under {@code profiles/catalog/} in the source
 * tree, packaged as class-path resources under {@code catalog/}. Files are read on each call (they are small);
 * nothing is cached.
 */
public final class Catalog {
    /** Resource folder of the catalog inside the jar. */
    static final String ROOT = "/catalog/";
    private static final List<String> DEVICES = List.of("v100-sxm2-32gb", "a100-sxm4-40gb", "a100-sxm4-80gb",
            "h100-sxm5-80gb", "h100-pcie-80gb", "h200-sxm-141gb");
    private static final List<String> CLUSTERS =
            List.of("dgx-v100", "dgx-a100", "dgx-h100", "pcie-4xv100", "mixed-a100-v100");

    private Catalog() {
    }

    /** Names of the catalog devices, oldest first. */
    public static List<String> deviceNames() {
        return DEVICES;
    }

    /** Names of the catalog clusters. */
    public static List<String> clusterNames() {
        return CLUSTERS;
    }

    /** The catalog device of that name, if there is one. */
    public static Optional<DeviceProfile> findDevice(String name) {
        if (!DEVICES.contains(name)) {
            return Optional.empty();
        }
        String path = "devices/" + name + ".json";
        return Optional.of(DeviceJson.parse(resource(path), "catalog/" + path));
    }

    /** The catalog device of that name; an unknown name is an error listing the catalog devices. */
    public static DeviceProfile device(String name) {
        return findDevice(name).orElseThrow(() -> new ProfileException("unknown device '" + name
                + "'; catalog devices: " + String.join(", ", DEVICES)));
    }

    /** The catalog cluster of that name, if there is one. */
    public static Optional<ClusterSpec> findCluster(String name) {
        if (!CLUSTERS.contains(name)) {
            return Optional.empty();
        }
        String path = "clusters/" + name + ".json";
        return Optional.of(ClusterJson.parse(resource(path), "catalog/" + path, ProfileLimits.DEFAULT,
                Catalog::findDevice, DEVICES));
    }

    /** The catalog cluster of that name; an unknown name is an error listing the catalog clusters. */
    public static ClusterSpec cluster(String name) {
        return findCluster(name).orElseThrow(() -> new ProfileException("unknown cluster '" + name
                + "'; catalog clusters: " + String.join(", ", CLUSTERS)));
    }

    /** The text of a catalog resource, relative to {@code catalog/}. */
    static String resource(String path) {
        try (InputStream in = Catalog.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                throw new IllegalStateException("catalog resource " + ROOT + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read catalog resource " + ROOT + path, e);
        }
    }
}
