package org.modelpar.profiles;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.profiles.io.ClusterJson;

/**
 * {@code local:N} and {@code local:N@SIZE}: N CPU workers of this machine on one node {@code local}, devices {@code cpu0..cpu<N-1>}.
 * The worker profile and links come from this machine's latest measured profile,
 * {@code $MODELPAR_HOME/profiles/local.json} (a {@code modelpar-cluster/1} file written by the executor's
 * profiler; its first device type and its first node's links, process link included, are used), else from the conservative default
 * shipped as {@code catalog/local/local-cpu.json}. With {@code @SIZE} (e.g. {@code local:2@48MiB}, a {@link ByteSize})
 * every worker's memory is that budget instead of its share of this machine's memory, so a plan, its
 * simulation and the executor's memory ledger all hold to it, and a model that fits the machine can be
 * rehearsed as one that does not fit one device.
 */
public final class LocalCluster {
    /** The node of this machine's workers; a cluster is {@link ClusterSpec#localWorkers() local} when all its devices are on it. */
    public static final String NODE = "local";
    /** Relative path of the measured profile under the modelpar home. */
    public static final String MEASURED = "profiles/local.json";
    /** Catalog resource with the conservative default worker. */
    static final String DEFAULT = "local/local-cpu.json";

    private LocalCluster() {
    }

    /** {@code $MODELPAR_HOME}, else {@code ~/.modelpar}. */
    public static Path modelparHome() {
        String env = System.getenv("MODELPAR_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".modelpar");
    }

    /** The template this machine's workers are built from: measured when present, else the default. */
    public static ClusterSpec template(Path modelparHome, ProfileLimits limits) {
        Path measured = modelparHome.resolve(MEASURED);
        if (Files.isRegularFile(measured)) {
            return ClusterJson.read(measured, limits);
        }
        return ClusterJson.parse(Catalog.resource(DEFAULT), "catalog/" + DEFAULT, limits);
    }

    /** N workers like the template's first device, with its first node's links. */
    public static ClusterSpec of(int workers, Path modelparHome, ProfileLimits limits) {
        if (workers < 1 || workers > limits.maxDevices()) {
            throw new ProfileException("local:" + workers + ": the worker count must be in 1.."
                    + limits.maxDevices() + ", got " + workers);
        }
        ClusterSpec template = template(modelparHome, limits);
        ClusterDevice first = template.devices().get(0);
        NodeLinks links = template.linksOf(first.node());
        List<ClusterDevice> devices = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            devices.add(new ClusterDevice("cpu" + i, NODE, first.profile()));
        }
        // the host delivers at most what it was measured to deliver, and never more than N workers' worth
        Map<String, Double> capacity = Optional.ofNullable(template.computeCapacity().get(first.node()))
                .map(c -> Map.of(NODE, Math.min(c, workers))).orElse(Map.of());
        Map<String, LinkProfile> process = Optional.ofNullable(template.processLinks().get(first.node()))
                .map(l -> Map.of(NODE, l)).orElse(Map.of());
        return new ClusterSpec("local:" + workers, devices, links.intraNode(), links.interNode(), Map.of(), capacity, Map.of(),
                process);
    }

    /**
     * {@code local} (local workers) with every worker's memory set to {@code budgetBytes}, named
     * {@code NAME@SIZE} ({@link ByteSize#exact}): for {@code local:N}, a name {@link Clusters#resolve} reads back
     * to this cluster.
     *
     * @param what names the budget in errors, e.g. {@code --device-memory 48MiB}
     * @throws ProfileException when the cluster is not local workers, or the budget is above a worker's memory
     */
    public static ClusterSpec withDeviceMemory(ClusterSpec local, long budgetBytes, String what) {
        if (!local.localWorkers()) {
            throw new ProfileException(what + ": cluster '" + local.name()
                    + "' is not this machine's workers; a memory budget applies to local:N");
        }
        List<ClusterDevice> devices = new ArrayList<>(local.devices().size());
        for (ClusterDevice d : local.devices()) {
            DeviceProfile p = d.profile();
            if (budgetBytes > p.memoryBytes()) {
                throw new ProfileException(what + " is above the " + ByteSize.format(p.memoryBytes())
                        + " worker " + d.id() + " has");
            }
            devices.add(new ClusterDevice(d.id(), d.node(), p.withMemoryBytes(budgetBytes)));
        }
        return new ClusterSpec(local.name() + "@" + ByteSize.exact(budgetBytes), devices, local.intraNode(), local.interNode(), local.nodeLinks(),
                local.computeCapacity(), local.hosts(), local.processLinks());
    }

    /**
     * {@code local} built again from this machine's current profile (after {@code modelpar profile} or a run
     * measured it), with the same worker count and the budget its name carries ({@code local:N@SIZE}), if any.
     */
    public static ClusterSpec reprofiled(ClusterSpec local, Path modelparHome, ProfileLimits limits) {
        ClusterSpec fresh = of(local.devices().size(), modelparHome, limits);
        int at = local.name().indexOf('@');
        return at < 0 ? fresh : withDeviceMemory(fresh, ByteSize.parse(local.name().substring(at + 1), "cluster '" + local.name() + "'"),
                "cluster '" + local.name() + "'");
    }

    /** The measured profile file if this machine has one. */
    public static Optional<Path> measuredProfile(Path modelparHome) {
        Path p = modelparHome.resolve(MEASURED);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
