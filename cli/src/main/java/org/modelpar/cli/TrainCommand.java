package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.executor.worker.LocalWorkers;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.workflow.TextFiles;
import org.modelpar.workflow.TrainAndCompare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar train --plan plan.json --steps N}: executes the plan on local workers with ND4J, prints
 * the loss per step and compares with the simulator's prediction. The prediction simulates the plan on the
 * cluster with op and optimizer times calibrated by timing the executor's kernels on this machine
 * ({@link org.modelpar.workflow.TrainAndCompare}); the pure roofline prediction from the cluster profile is
 * reported beside it.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Executes a plan on local devices (synthetic task) and compares with the prediction.")
final class TrainCommand implements Runnable {
    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "A modelpar-plan/1 file.")
    Path plan;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Steps to train (a resumed run ends at N too).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed of weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default 0.003 for Adam, 0.05 for SGD).")
    Double learningRate;

    @Mixin
    GraphOptions graphOptions;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write the measured Chrome trace here.")
    Path trace;

    @Option(names = "--predicted-trace", paramLabel = "FILE", description = "Write the calibrated prediction's Chrome trace"
            + " of one step here (to open beside --trace).")
    Path predictedTrace;

    @Option(names = "--checkpoint-dir", paramLabel = "D", description = "Write a checkpoint after every step.")
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "D", description = "Continue from the checkpoint in D.")
    Path resume;

    @Option(names = "--compare", description = "Print predicted vs measured step time, memory and instructions"
            + " (after warm-up steps that run until the JIT is quiet and the steps no longer get faster).")
    boolean compare;

    /** Where the devices run: threads of this process, or one local worker process each (gRPC on loopback). */
    enum Workers { threads, processes }

    @Option(names = "--workers", paramLabel = "W", description = "threads (one JVM) or processes (one worker process per device,"
            + " gRPC on loopback); default: processes on a local cluster (local:N), threads on any other.")
    Workers workers;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PlacementPlan p = PlanJson.read(plan).plan();
        ComputationGraph graph = graphOptions.loadFor(plan, p);
        ClusterSpec c = cluster.resolveFor(plan, p);
        double lr = learningRate != null ? learningRate : TrainAndCompare.defaultLearningRate(p.optimizer());
        SimulationReport roofline = Simulator.simulate(graph, c, p);
        PrintWriter out = spec.commandLine().getOut();
        Workers chosen = workersFor(c);
        TrainAndCompare.Outcome outcome = TrainAndCompare.run(graph, c, p, new TrainAndCompare.Settings(steps, seed, lr,
                Optional.ofNullable(checkpointDir), Optional.ofNullable(resume), workerCommand(chosen), compare), r -> {
                    if (!json) {
                        out.printf("step %d loss %.6f (%.1f ms)%n", r.step(), r.loss(), r.seconds() * 1e3);
                        out.flush();
                    }
                });
        if (trace != null) {
            TextFiles.write(trace, outcome.traceJson(graph));
        }
        if (predictedTrace != null) {
            TextFiles.write(predictedTrace, outcome.predictedTraceJson(graph));
        }
        if (json) {
            printJson(out, outcome, roofline.stepSeconds(), chosen);
        } else {
            TrainReport.print(out, outcome.result(), outcome.comparison(), compare, roofline.stepSeconds());
        }
        out.flush();
    }

    /** {@code --workers} if given, else worker processes on a cluster of this machine's workers, threads on others. */
    private Workers workersFor(ClusterSpec c) {
        return workers != null ? workers : c.localWorkers() ? Workers.processes : Workers.threads;
    }

    /** With worker processes: this program's {@code worker} command in a fresh JVM. */
    private static Optional<List<String>> workerCommand(Workers w) {
        return w == Workers.processes
                ? Optional.of(LocalWorkers.javaCommand(Main.class.getName(), List.of("worker"))) : Optional.empty();
    }

    private void printJson(PrintWriter out, TrainAndCompare.Outcome outcome, double rooflineStepSeconds, Workers w) {
        TrainResult r = outcome.result();
        Comparison cmp = outcome.comparison();
        ObjectNode o = JsonOutput.object();
        o.put("workers", w.name());
        o.put("steps", r.firstStep() + r.losses().size());
        o.put("firstStep", r.firstStep());
        r.losses().forEach(o.putArray("losses")::add);
        o.put("measuredStepSeconds", r.measuredStepSeconds());
        o.put("pausedSteadySteps", r.pausedSteadySteps());
        o.put("predictedStepSeconds", cmp.predictedStepSeconds());
        o.put("rooflinePredictedStepSeconds", rooflineStepSeconds);
        o.put("parameterSha256", r.parameterSha256());
        ObjectNode measured = o.putObject("peakMemoryBytes");
        ObjectNode predictedPeaks = o.putObject("predictedPeakMemoryBytes");
        cmp.memory().forEach((d, m) -> {
            measured.put(d, m.measuredBytes());
            predictedPeaks.put(d, m.predictedBytes());
        });
        if (compare) {
            ObjectNode c = o.putObject("compare");
            c.put("stepErrorPercent", cmp.stepErrorPercent());
            c.put("warmUpSteps", r.warmUpSeconds().size());
            ObjectNode busy = c.putObject("computeSeconds");
            cmp.compute().forEach((d, b) -> busy.putObject(d).put("predicted", b.predictedSeconds()).put("measured", b.measuredSeconds()));
            outcome.hostCapacity().ifPresent(h -> c.put("hostCapacity", h));
            c.put("backgroundCores", outcome.backgroundCores());
            if (outcome.transportCpuSecondsPerByte() > 0) {
                c.put("transportCpuSecondsPerByte", outcome.transportCpuSecondsPerByte());
            }
            outcome.link().ifPresent(l -> c.putObject("link").put("latencySeconds", l.latencySeconds())
                    .put("bandwidthBytesPerSecond", l.bandwidthBytesPerSecond()));
            CollectiveSamples ring = outcome.ringSteps();
            if (ring.steps() > 0) {
                c.putObject("ringSteps").put("steps", ring.steps()).put("meanSeconds", ring.seconds() / ring.steps())
                        .put("meanBytes", ring.bytes() / ring.steps());
            }
            var worst = c.putArray("worstInstructions");
            cmp.worstInstructions().forEach(g -> worst.addObject().put("device", g.device()).put("index", g.index())
                    .put("name", g.name()).put("predictedSeconds", g.predictedSeconds()).put("measuredSeconds", g.measuredSeconds()));
        }
        JsonOutput.print(out, o);
    }
}
