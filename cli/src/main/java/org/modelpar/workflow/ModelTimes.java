package org.modelpar.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.executor.profile.ModelProfiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.io.GraphJson;

/**
 * The model's op times on this machine for {@code modelpar run} on a local cluster: measured once per graph
 * and sample count by {@link ModelProfiler} (as {@code modelpar profile --model} does) and kept under
 * {@code $MODELPAR_HOME/profiles/models/}, so later runs plan from the same times, as {@code local:N}
 * reuses the machine's profile. Models the executor cannot run, or too large to time here, keep the
 * roofline.
 */
final class ModelTimes {
    /** Largest model (fp32 parameter bytes) timed here: it is run whole, with gradients and optimizer state. */
    static final long MAX_PARAMETER_BYTES = 256L << 20;
    private static final int REPETITIONS = 5;

    private ModelTimes() {
    }

    /** The graph with its measured times, or empty with the reason in {@code why}. */
    static Optional<ComputationGraph> measured(ComputationGraph graph, int samples, Path home, StringBuilder why) {
        if (graph.parameterBytes() > MAX_PARAMETER_BYTES) {
            why.append(String.format("%.0f MiB of parameters is too large to time here", graph.parameterBytes() / 1048576.0));
            return Optional.empty();
        }
        String hash = GraphJson.contentHash(graph);
        Path file = home.resolve("profiles").resolve("models")
                .resolve(hash.substring(hash.indexOf(':') + 1, hash.indexOf(':') + 17) + "-k" + samples + ".json");
        if (Files.isRegularFile(file)) {
            why.append("reused ").append(file);
            return Optional.of(GraphJson.read(file));
        }
        ComputationGraph timed;
        try {
            timed = ModelProfiler.measure(graph, samples, REPETITIONS, 0);
        } catch (GraphException e) {
            why.append("the executor cannot run it: ").append(e.getMessage());
            return Optional.empty();
        }
        TextFiles.write(file, GraphJson.toJson(timed));
        why.append("measured -> ").append(file);
        return Optional.of(timed);
    }
}
