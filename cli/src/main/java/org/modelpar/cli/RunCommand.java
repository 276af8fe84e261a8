package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.modelpar.executor.StepResult;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.workflow.RunRequest;
import org.modelpar.workflow.RunResult;
import org.modelpar.workflow.Workflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar run --model M --cluster C}: the whole workflow ({@link Workflow#run}). Profiles this machine
 * (for a {@code local:N} cluster without a profile), plans, simulates, and on local workers trains N steps and
 * compares with the prediction; on any other cluster it stops after simulation and says how to export.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Profile (local clusters), plan, simulate, train (local clusters) and report, in one command.")
final class RunCommand implements Runnable {
    @Mixin
    GraphOptions graph;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--global-batch", defaultValue = "16", paramLabel = "B", description = "Samples per step (default ${DEFAULT-VALUE}).")
    int globalBatch;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Training steps on a local cluster (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--precision", paramLabel = "P", description = "fp32, bf16 or fp16 (default: fp32 on local clusters, which train in fp32; bf16 elsewhere).")
    String precision;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "Stop the plan search after this long (the plan"
            + " then depends on machine speed; default: no limit, the search is bounded by counts).")
    String timeLimit;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of search, weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "plan.json", paramLabel = "FILE", description = "Plan file to write (default ${DEFAULT-VALUE}).")
    Path planOut;

    @Option(names = "--overwrite", description = "Replace an existing plan file (--out); without it run refuses to.")
    boolean overwrite;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the HTML report here.")
    Path report;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write the measured Chrome trace (local clusters) here.")
    Path trace;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        String clusterArg = cluster.value().orElseThrow(() -> new CliInputException("--cluster is required (e.g. --cluster local:2)"));
        if (Files.exists(planOut) && !overwrite) {
            throw new CliInputException(planOut + " exists (an earlier run's plan?): pass --overwrite to replace it, or --out FILE");
        }
        RunRequest request = new RunRequest(graph.load(), cluster.resolve(), globalBatch, steps,
                Optional.ofNullable(precision).map(Precision::parse), Optional.ofNullable(timeLimit).map(Durations::parse), seed,
                LocalCluster.modelparHome(), planOut, Optional.ofNullable(report), Optional.ofNullable(trace));
        PrintWriter out = spec.commandLine().getOut();
        RunResult result = Workflow.run(request, new Bars(spec.commandLine().getErr(), ProgressBar.wanted(json), steps));
        if (json) {
            JsonOutput.print(out, RunSummary.json(request, clusterArg, result));
        } else {
            RunSummary.print(out, request, clusterArg, result);
        }
        out.flush();
    }

    /** Progress bars on stderr for profiling, search and training. */
    private static final class Bars implements Workflow.Progress {
        private final PrintWriter err;
        private final boolean enabled;
        private final int steps;
        private final ProgressBar search;
        private final ProgressBar train;

        Bars(PrintWriter err, boolean enabled, int steps) {
            this.err = err;
            this.enabled = enabled;
            this.steps = steps;
            this.search = new ProgressBar(err, enabled, "plan");
            this.train = new ProgressBar(err, enabled, "train");
        }

        @Override
        public void profiling(int workers) {
            if (enabled) {
                err.println("profile  measuring this machine's " + workers + " workers (once; later runs reuse it)...");
            }
        }

        @Override
        public void update(int tried, int total, String best) {
            search.update(tried, total, best);
        }

        @Override
        public void searched() {
            search.done();
        }

        @Override
        public void trained(StepResult r) {
            train.update(r.step() + 1, steps, String.format(Locale.ROOT, "loss %.4f", r.loss()));
        }

        @Override
        public void trainingDone() {
            train.done();
        }
    }
}
