package org.modelpar.profiles;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.modelpar.profiles.io.ClusterJson;

/**
 * Turns a command-line cluster argument into a {@link ClusterSpec} (docs/profiles.md#cluster-arguments):
 * <ul>
 *   <li>{@code dgx-a100}: a catalog cluster;</li>
 *   <li>{@code dgx-a100:16}: 16 nodes like the catalog cluster's (a multi-node template repeats its nodes in
 *       order), named {@code n0..n15}, devices {@code n<i>g<j>};</li>
 *   <li>{@code local:4}: 4 CPU workers of this machine ({@link LocalCluster}); {@code local:4@48MiB}: each with a
 *       48 MiB memory budget ({@link LocalCluster#withDeviceMemory});</li>
 *   <li>anything else: a {@code modelpar-cluster/1} file.</li>
 * </ul>
 */
public final class Clusters {
    private static final Pattern SHORT = Pattern.compile("([a-z0-9][a-z0-9.-]*):(\\d{1,9})");
    private static final Pattern BUDGETED = Pattern.compile("local:(\\d{1,9})@(\\S*)");
    private static final Pattern NAME_LIKE = Pattern.compile("[a-z0-9][a-z0-9-]*(:\\S*)?");

    private Clusters() {
    }

    /** Resolves with {@code $MODELPAR_HOME} (default {@code ~/.modelpar}) and the default limits. */
    public static ClusterSpec resolve(String arg) {
        return resolve(arg, LocalCluster.modelparHome(), ProfileLimits.DEFAULT);
    }

    /** Resolves with an explicit modelpar home (where {@code profiles/local.json} lives) and limits. */
    public static ClusterSpec resolve(String arg, Path modelparHome, ProfileLimits limits) {
        if (arg == null || arg.isBlank()) {
            throw new ProfileException("cluster argument is empty; give a catalog name (" + names()
                    + "), NAME:N, local:N or a file");
        }
        if (Catalog.clusterNames().contains(arg)) {
            return Catalog.cluster(arg);
        }
        Path file = path(arg);
        Matcher budgeted = BUDGETED.matcher(arg);
        if (budgeted.matches() && !Files.exists(file)) {
            String what = "cluster '" + arg + "'";
            return LocalCluster.withDeviceMemory(LocalCluster.of(count(arg, budgeted.group(1)), modelparHome, limits),
                    ByteSize.parse(budgeted.group(2), what + ": the memory after '@'"), what);
        }
        Matcher m = SHORT.matcher(arg);
        if (m.matches() && !Files.exists(file)) {
            int count = count(arg, m.group(2));
            if (m.group(1).equals("local")) {
                return LocalCluster.of(count, modelparHome, limits);
            }
            if (Catalog.clusterNames().contains(m.group(1))) {
                return replicate(Catalog.cluster(m.group(1)), count, arg, limits);
            }
            throw unknown(arg, m.group(1));
        }
        if (!Files.exists(file) && NAME_LIKE.matcher(arg).matches()) {
            String name = arg.contains(":") ? arg.substring(0, arg.indexOf(':')) : arg;
            if (!name.equals(arg) && (name.equals("local") || Catalog.clusterNames().contains(name))) {
                throw new ProfileException("cluster '" + arg + "': the count after ':' must be a whole number of at least 1,"
                        + " got '" + arg.substring(name.length() + 1) + "'");
            }
            throw unknown(arg, name);
        }
        return ClusterJson.read(file, limits);
    }

    /**
     * {@code nodes} nodes built from a template's nodes in order (node i copies template node i mod k), named
     * {@code n<i>} with devices {@code n<i>g<j>}, each keeping its template node's device types and links.
     */
    public static ClusterSpec replicate(ClusterSpec template, int nodes, String name, ProfileLimits limits) {
        List<List<ClusterDevice>> templateNodes = List.copyOf(template.nodes().values());
        List<String> templateNames = List.copyOf(template.nodes().keySet());
        if (nodes < 1 || nodes > limits.maxNodes()) {
            throw new ProfileException(name + ": " + nodes + " nodes, outside the limit of 1.." + limits.maxNodes());
        }
        long total = 0;
        for (int i = 0; i < nodes; i++) {
            total += templateNodes.get(i % templateNodes.size()).size();
        }
        if (total > limits.maxDevices()) {
            throw new ProfileException(name + ": " + nodes + " nodes with " + total + " devices, above the limit of "
                    + limits.maxDevices() + " devices");
        }
        List<ClusterDevice> devices = new ArrayList<>((int) total);
        Map<String, NodeLinks> links = new LinkedHashMap<>();
        Map<String, Double> capacity = new LinkedHashMap<>();
        for (int i = 0; i < nodes; i++) {
            String node = "n" + i;
            int t = i % templateNodes.size();
            List<ClusterDevice> like = templateNodes.get(t);
            for (int j = 0; j < like.size(); j++) {
                devices.add(new ClusterDevice(node + "g" + j, node, like.get(j).profile()));
            }
            NodeLinks own = template.nodeLinks().get(templateNames.get(t));
            if (own != null) {
                links.put(node, own);
            }
            Double c = template.computeCapacity().get(templateNames.get(t));
            if (c != null) {
                capacity.put(node, c);
            }
        }
        return new ClusterSpec(name, devices, template.intraNode(), template.interNode(), links, capacity);
    }

    private static Path path(String arg) {
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new ProfileException("cluster '" + arg + "' is neither a catalog name nor a valid path: "
                    + e.getReason());
        }
    }

    private static int count(String arg, String digits) {
        int n = Integer.parseInt(digits);
        if (n < 1) {
            throw new ProfileException("cluster '" + arg + "': the count must be at least 1, got " + n);
        }
        return n;
    }

    private static ProfileException unknown(String arg, String name) {
        String in = arg.equals(name) ? "" : " in '" + arg + "'";
        return new ProfileException("unknown cluster '" + name + "'" + in + " (no such catalog cluster or file); "
                + "catalog clusters: " + names() + "; also NAME:N, local:N or a modelpar-cluster/1 file");
    }

    private static String names() {
        return String.join(", ", Catalog.clusterNames());
    }
}
