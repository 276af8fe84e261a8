package org.modelpar.cli;

import java.util.Optional;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import picocli.CommandLine.Option;

/**
 * The reusable {@code --cluster C} option ({@code @Mixin} it into simulate, plan, run): a catalog name
 * ({@code dgx-a100}), {@code NAME:N} (N nodes), {@code local:N} (N CPU workers) or a {@code modelpar-cluster/1}
 * file, resolved by {@link Clusters#resolve(String)}.
 */
public final class ClusterOption {
    @Option(names = "--cluster", paramLabel = "C",
            description = "Cluster: catalog name (dgx-v100, dgx-a100, dgx-h100, pcie-4xv100, mixed-a100-v100), "
                    + "NAME:N for N nodes, local:N for N CPU workers, or a modelpar-cluster/1 file; with --plan, default: the plan's cluster.")
    String cluster;

    /** The argument as given, if any. */
    public Optional<String> value() {
        return Optional.ofNullable(cluster);
    }

    /** The cluster the option names, or else the named one (a plan's cluster). */
    public ClusterSpec resolveOr(String clusterName) {
        return Clusters.resolve(cluster != null ? cluster : clusterName);
    }

    /** The resolved cluster; a missing option is a usage error (exit 2). */
    public ClusterSpec resolve() {
        if (cluster == null) {
            throw new CliInputException("--cluster is required (e.g. --cluster dgx-a100:4)");
        }
        return Clusters.resolve(cluster);
    }
}
