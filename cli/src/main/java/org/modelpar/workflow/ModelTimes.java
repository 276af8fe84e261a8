package org.modelpar.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.modelpar.executor.KernelWorkspace;
import org.modelpar.executor.profile.ModelProfiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.io.GraphJson;

/**
 * The model's op times on this machine for a run on local workers: measured once per graph and sample
 * count by {@link ModelProfiler} (as {@code modelpar profile --model} does), with each op's workspace
 * replaced by what the executor's kernels take in temporaries ({@link KernelWorkspace}, at 1 sample: the
 * per-sample figure that bounds every larger micro-batch), and kept under
 * {@code <modelpar home>/profiles/models/}, so later runs plan from the same times and the plan's memory is
 * the executor's (a worker's memory budget holds for the plan, the simulation and the run alike), as
 * {@code local:N} reuses the machine's profile. Models the executor cannot run, or too large to time here,
 * keep the roofline.
 */
public final class ModelTimes {
    /** Largest model (fp32 parameter bytes) timed here: it is run whole, with gradients and optimizer state. */
    public static final long MAX_PARAMETER_BYTES = 256L << 20;
    private static final int REPETITIONS = 5;

    private ModelTimes() {
    }

    /**
     * The graph the plan is made from and why.
     *
     * @param graph    the graph with measured op times, or the input graph (roofline op times)
     * @param measured whether {@code graph} carries this machine's measured op times
     * @param reason   where the times come from ({@code measured -> FILE}, {@code reused FILE}) or why the
     *                 roofline is kept
     */
    public record OpTimes(ComputationGraph graph, boolean measured, String reason) {
    }

    /** The graph with its op times measured at {@code samples} samples (or reused from {@code home}), else the roofline. */
    public static OpTimes of(ComputationGraph graph, int samples, Path home) {
        if (graph.parameterBytes() > MAX_PARAMETER_BYTES) {
            return new OpTimes(graph, false, String.format(Locale.ROOT, "%.0f MiB of parameters is too large to time here",
                    graph.parameterBytes() / 1048576.0));
        }
        Path file = directory(home).resolve(prefix(graph) + "-k" + samples + "-ws2.json");
        if (Files.isRegularFile(file)) {
            return new OpTimes(GraphJson.read(file), true, "reused " + file);
        }
        ComputationGraph timed;
        try {
            timed = KernelWorkspace.measure(ModelProfiler.measure(graph, samples, REPETITIONS, 0), 1);
        } catch (GraphException e) {
            return new OpTimes(graph, false, "the executor cannot run it: " + e.getMessage());
        }
        TextFiles.write(file, GraphJson.toJson(timed));
        return new OpTimes(timed, true, "measured -> " + file);
    }

    /**
     * The file under {@code home} holding {@code graph} with this machine's times whose content hash is
     * {@code graphHash} (what a plan made by {@code modelpar run} on local workers records), if there is one.
     */
    public static Optional<Path> timedFile(ComputationGraph graph, String graphHash, Path home) {
        Path dir = directory(home);
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix(graph) + "-k")).sorted()
                    .filter(f -> GraphJson.contentHash(GraphJson.read(f)).equals(graphHash)).findFirst();
        } catch (IOException | GraphException e) {
            return Optional.empty();
        }
    }

    private static Path directory(Path home) {
        return home.resolve("profiles").resolve("models");
    }

    /** The first 16 hex digits of the graph's content hash: the timed files of a graph start with it. */
    private static String prefix(ComputationGraph graph) {
        String hash = GraphJson.contentHash(graph);
        return hash.substring(hash.indexOf(':') + 1, hash.indexOf(':') + 17);
    }
}
