package org.modelpar.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.trace.ChromeTraceWriter;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.PlanResult;
import org.modelpar.solver.Planner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar run --model M --cluster C}: the whole workflow. Profiles this machine (for a
 * {@code local:N} cluster without a profile), plans, simulates, and on a local cluster trains N steps and
 * compares with the prediction; on any other cluster it stops after simulation and says how to export.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Profile (local clusters), plan, simulate, train (local clusters) and report, in one command.")
final class RunCommand implements Runnable {
    private static final double GIB = 1024.0 * 1024 * 1024;

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

    @Option(names = "--time-limit", defaultValue = "30s", paramLabel = "DURATION", description = "Search time guard (default ${DEFAULT-VALUE}).")
    String timeLimit;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed of search, weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "plan.json", paramLabel = "FILE", description = "Plan file to write (default ${DEFAULT-VALUE}).")
    Path planOut;

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
        boolean local = clusterArg.startsWith("local:");
        if (globalBatch < 1 || steps < 1) {
            throw new CliInputException("--global-batch and --steps must be at least 1, got " + globalBatch + " and " + steps);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean bars = ProgressBar.wanted(json);
        ObjectNode doc = JsonOutput.object();
        ComputationGraph g = graph.load();
        doc.put("model", g.name());
        doc.put("cluster", clusterArg);

        boolean profiled = local && LocalCluster.measuredProfile(LocalCluster.modelparHome()).isEmpty();
        if (profiled) {
            int workers = Integer.parseInt(clusterArg.substring("local:".length()));
            if (bars) {
                err.println("profile  measuring this machine's " + workers + " workers (once; later runs reuse it)...");
            }
            Path written = LocalCluster.modelparHome().resolve(LocalCluster.MEASURED);
            TextFiles.write(written, ClusterJson.write(new Profiler(Ticker.system(), 3, 9).profile(workers).cluster()));
            say(out, "profile   measured this machine -> %s", written);
        }
        doc.put("profiled", profiled);
        ClusterSpec c = cluster.resolve();
        doc.put("opTimes", "roofline");
        if (local) {
            // plan from the model's own op times on this machine (once per model; later runs reuse them)
            int samples = Math.max(2, Math.min(globalBatch, 16));
            StringBuilder why = new StringBuilder();
            Optional<ComputationGraph> timed = ModelTimes.measured(g, samples, LocalCluster.modelparHome(), why);
            say(out, "times     %s: %s", timed.isPresent() ? "op times of this model at 1 and " + samples + " samples"
                    : "roofline op times", why);
            doc.put("opTimes", timed.isPresent() ? "measured" : "roofline");
            g = timed.orElse(g);
        }

        Precision p = precision != null ? Precision.parse(precision) : local ? Precision.FP32 : Precision.BF16;
        PlanRequest request = PlanRequest.of(globalBatch).withPrecision(p, OptimizerKind.ADAM)
                .withSearch(seed, PlanCommand.parseDuration(timeLimit));
        if (local) {
            // the executor runs no tensor parallelism: search only plans it can train
            request = request.withDegrees(OptionalInt.empty(), OptionalInt.of(1), OptionalInt.empty(), OptionalInt.empty());
        }
        ProgressBar search = new ProgressBar(err, bars, "plan");
        PlanResult planned = new Planner().plan(g, c, request, (tried, total, best) -> search.update(tried, total, best));
        search.done();
        PlanFile planFile = planned.best();
        PlacementPlan plan = planFile.plan();
        PlanJson.write(planFile, planOut);
        say(out, "plan      %s (searched %.1f s, %d configurations) -> %s", label(plan), planned.searchSeconds(),
                planned.configurationsTried(), planOut);
        doc.put("planFile", planOut.toString());
        doc.put("configuration", label(plan));

        SimulationReport sim = Simulator.simulate(g, c, plan, SimulationOptions.defaults().withTrace(report != null));
        String peakDevice = sim.devices().entrySet().stream().max(Map.Entry.comparingByValue(
                (a, b) -> Long.compare(a.peakMemoryBytes(), b.peakMemoryBytes()))).map(Map.Entry::getKey).orElse("-");
        say(out, "simulate  step %.4f s, %.1f samples/s, bubble %.1f%%, peak memory %.2f GiB on %s", sim.stepSeconds(),
                sim.samplesPerSecond(), 100 * sim.bubbleFraction(), sim.peakMemoryBytes() / GIB, peakDevice);
        ObjectNode predicted = doc.putObject("predicted");
        predicted.put("stepSeconds", sim.stepSeconds());
        predicted.put("samplesPerSecond", sim.samplesPerSecond());
        predicted.put("bubbleFraction", sim.bubbleFraction());
        predicted.put("peakMemoryBytes", sim.peakMemoryBytes());

        Optional<Timeline> measured = Optional.empty();
        if (local) {
            measured = Optional.of(train(g, c, plan, sim, doc.putObject("train"), out, err, bars));
        } else {
            doc.putNull("train");
            doc.put("next", "modelpar export --plan " + planOut + " --format megatron|deepspeed|torch");
            say(out, "%s is not a local cluster: modelpar stops after simulation. Take the plan to your framework:", clusterArg);
            say(out, "  modelpar export --plan %s --format megatron   (or deepspeed, torch)", planOut);
        }
        if (report != null) {
            ReportCommand.write(report, planFile, g, c, measured);
            say(out, "report    %s", report);
            doc.put("report", report.toString());
        } else {
            doc.putNull("report");
        }
        if (json) {
            JsonOutput.print(out, doc);
        }
        out.flush();
    }

    /** Trains the plan on the local workers, compares with the simulation, and returns the last step's timeline. */
    private Timeline train(ComputationGraph g, ClusterSpec c, PlacementPlan plan, SimulationReport sim, ObjectNode doc,
                        PrintWriter out, PrintWriter err, boolean bars) {
        StepProgram program = Lowering.lower(g, c, plan);
        ExecutorOptions options = LocalTraining.options(c, seed, 3e-3);
        ProgressBar bar = new ProgressBar(err, bars, "train");
        LocalTraining.CalibratedPrediction calibration = new LocalTraining.CalibratedPrediction(g, c, plan, seed, steps);
        TrainResult result = Trainer.train(g, program, new TrainOptions(steps, options, seed, Optional.empty(), Optional.empty()),
                r -> {
                    calibration.afterStep();
                    bar.update(r.step() + 1, steps, String.format(Locale.ROOT, "loss %.4f", r.loss()));
                });
        bar.done();
        SimulationReport predicted = calibration.simulate(g, c, plan);
        int lastStep = result.firstStep() + result.losses().size() - 1;
        Comparison cmp = Comparison.of(predicted.predictedSide(), new Comparison.Side(result.timeline().step(lastStep),
                result.measuredStepSeconds(), result.peakMemoryBytes()), 5);
        say(out, "train     %d steps, loss %.4f -> %.4f, measured %.1f ms/step vs predicted %.1f ms from timed kernels (%+.1f%%)", steps,
                result.losses().get(0), result.losses().get(result.losses().size() - 1), cmp.measuredStepSeconds() * 1e3,
                cmp.predictedStepSeconds() * 1e3, cmp.stepErrorPercent());
        doc.put("steps", steps);
        result.losses().forEach(doc.putArray("losses")::add);
        doc.put("measuredStepSeconds", cmp.measuredStepSeconds());
        doc.put("predictedStepSeconds", cmp.predictedStepSeconds());
        doc.put("stepErrorPercent", cmp.stepErrorPercent());
        doc.put("rooflinePredictedStepSeconds", sim.stepSeconds());
        if (trace != null) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ChromeTraceWriter.write(result.timeline(), bytes);
            TextFiles.write(trace, bytes.toString(StandardCharsets.UTF_8));
            say(out, "trace     %s (open in https://ui.perfetto.dev)", trace);
        }
        return result.timeline().lastStep();
    }

    private void say(PrintWriter out, String format, Object... args) {
        if (!json) {
            out.println(String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    /** e.g. {@code pp=2 tp=1 dp=1 m=4 mb=4 1f1b fp32}. */
    static String label(PlacementPlan plan) {
        StringBuilder dp = new StringBuilder();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            dp.append(s == 0 ? "" : ",").append(plan.dataParallel(s));
        }
        String d = plan.stages().stream().mapToInt(st -> plan.dataParallel(st.index())).distinct().count() == 1
                ? String.valueOf(plan.dataParallel(0)) : "[" + dp + "]";
        return String.format(Locale.ROOT, "pp=%d tp=%d dp=%s m=%d mb=%d %s %s", plan.pipelineStages(), plan.tensorParallel(), d,
                plan.microBatches(), plan.microBatchSize(), plan.schedule().jsonName(), plan.precision().jsonName());
    }
}
