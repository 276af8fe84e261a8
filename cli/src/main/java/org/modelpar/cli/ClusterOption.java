package org.modelpar.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanValidator;
import picocli.CommandLine.Option;

/**
 * The reusable {@code --cluster C} option ({@code @Mixin} it into simulate, plan, run, train): a catalog name
 * ({@code dgx-a100}), {@code NAME:N} (N nodes), {@code local:N} (N CPU workers), {@code local:N@SIZE} (with a
 * memory budget per worker) or a {@code modelpar-cluster/1} file, resolved by {@link Clusters#resolve(String)};
 * and {@code --device-memory SIZE}, the same budget as an option ({@link LocalCluster#withDeviceMemory}).
 */
public final class ClusterOption {
    @Option(names = "--cluster", paramLabel = "C",
            description = "Cluster: catalog name (dgx-v100, dgx-a100, dgx-h100, pcie-4xv100, mixed-a100-v100), "
                    + "NAME:N for N nodes, local:N for N CPU workers, or a modelpar-cluster/1 file; with --plan, default: the plan's cluster.")
    String cluster;

    @Option(names = "--device-memory", paramLabel = "SIZE",
            description = "Memory budget of every local worker, e.g. 48MiB or 2GiB: plan, simulation and training hold to it"
                    + " (local clusters only; the same as --cluster local:N@SIZE).")
    String deviceMemory;

    /** The argument as given, if any. */
    public Optional<String> value() {
        return Optional.ofNullable(cluster);
    }

    /**
     * The cluster of the plan read from {@code planFile}: the one the option names, or else the plan's. A
     * cluster whose content hash differs from the plan's is refused ({@link PlanValidator#requireCluster}, exit 2).
     */
    public ClusterSpec resolveFor(Path planFile, PlacementPlan plan) {
        ClusterSpec c = budgeted(cluster != null ? cluster : plan.clusterName());
        try {
            PlanValidator.requireCluster(plan, c);
        } catch (PlanException e) {
            throw new PlanException(planFile + ": " + e.getMessage(), e);
        }
        return c;
    }

    /** The resolved cluster; a missing option is a usage error (exit 2). */
    public ClusterSpec resolve() {
        if (cluster == null) {
            throw new CliInputException("--cluster is required (e.g. --cluster dgx-a100:4)");
        }
        return budgeted(cluster);
    }

    /** The cluster of {@code arg}, with the {@code --device-memory} budget in place of any budget the argument names. */
    private ClusterSpec budgeted(String arg) {
        if (deviceMemory == null) {
            return Clusters.resolve(arg);
        }
        long bytes = ByteSize.parse(deviceMemory, "--device-memory");
        String unbudgeted = arg.startsWith("local:") && arg.contains("@") ? arg.substring(0, arg.indexOf('@')) : arg;
        return LocalCluster.withDeviceMemory(Clusters.resolve(unbudgeted), bytes, "--device-memory " + deviceMemory);
    }
}
