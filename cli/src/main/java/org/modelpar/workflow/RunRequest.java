package org.modelpar.workflow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.Precision;

/**
 * What {@link Workflow#run} does: plan {@code graph} on {@code cluster}, simulate, and on local workers
 * ({@link ClusterSpec#localWorkers()}) train and compare.
 *
 * @param graph        the model
 * @param cluster      where it runs; local workers are profiled first when {@code modelparHome} has no profile
 * @param globalBatch  samples per step, at least 1
 * @param steps        training steps on local workers, at least 1
 * @param precision    the plan's precision; empty: fp32 on local workers (ND4J's CPU kernels are fastest in fp32), else bf16
 * @param timeLimit    the plan search's wall-clock limit; empty: none (the search is bounded by counts)
 * @param seed         seed of search, weights and data
 * @param modelparHome where this machine's profile and the models' measured op times are kept
 * @param planOut      the plan file to write
 * @param report       the HTML report to write, if any
 * @param trace        the measured Chrome trace to write (local workers), if any
 */
public record RunRequest(ComputationGraph graph, ClusterSpec cluster, int globalBatch, int steps, Optional<Precision> precision,
                         Optional<Duration> timeLimit, long seed, Path modelparHome, Path planOut, Optional<Path> report,
                         Optional<Path> trace) {
    /** Op times are measured at this many samples at most (and at least 2, to separate fixed from per-sample cost). */
    private static final int MAX_TIMED_SAMPLES = 16;

    public RunRequest {
        if (globalBatch < 1 || steps < 1) {
            throw new WorkflowException("run: globalBatch and steps must be at least 1, got " + globalBatch + " and " + steps);
        }
        if (timeLimit.filter(l -> l.isNegative() || l.isZero()).isPresent()) {
            throw new WorkflowException("run: timeLimit must be positive, got " + timeLimit.get());
        }
    }

    /**
     * The defaults of {@code modelpar run}: 16 samples per step, 10 training steps, the precision chosen by
     * the cluster, a search with seed 0 and no time limit, no report and no trace.
     */
    public static RunRequest of(ComputationGraph graph, ClusterSpec cluster, Path modelparHome, Path planOut) {
        return new RunRequest(graph, cluster, 16, 10, Optional.empty(), Optional.empty(), 0, modelparHome, planOut,
                Optional.empty(), Optional.empty());
    }

    /** This request with another global batch. */
    public RunRequest withGlobalBatch(int samples) {
        return new RunRequest(graph, cluster, samples, steps, precision, timeLimit, seed, modelparHome, planOut, report, trace);
    }

    /** This request with another number of training steps. */
    public RunRequest withSteps(int count) {
        return new RunRequest(graph, cluster, globalBatch, count, precision, timeLimit, seed, modelparHome, planOut, report, trace);
    }

    /** This request writing the HTML report to {@code file}. */
    public RunRequest withReport(Path file) {
        return new RunRequest(graph, cluster, globalBatch, steps, precision, timeLimit, seed, modelparHome, planOut,
                Optional.of(file), trace);
    }

    /** The sample count op times are measured at on local workers: the global batch, kept within 2..16. */
    public int timedSamples() {
        return Math.max(2, Math.min(globalBatch, MAX_TIMED_SAMPLES));
    }

    /** The precision planned: the requested one, else {@link LocalTraining#defaultPrecision}. */
    public Precision plannedPrecision() {
        return precision.orElse(LocalTraining.defaultPrecision(cluster));
    }
}
