package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.ReportJson;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.Simulator;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.solver.InfeasibleException;
import org.modelpar.workflow.LocalTraining;
import org.modelpar.workflow.TraceFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar simulate}: one training step of a plan file, or of a hand-made configuration
 * ({@code --pp --tp --dp --microbatches --micro-batch-size}, ops cut into balanced contiguous stages). A step
 * that runs out of memory is printed and then exits 3, as {@code plan} does when nothing fits.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Simulates one training step of a plan (--plan) or of a hand-made configuration.")
final class SimulateCommand implements Runnable {
    @Option(names = "--plan", paramLabel = "FILE", description = "A modelpar-plan/1 file.")
    Path plan;

    @Mixin
    GraphOptions graphOptions;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--pp", defaultValue = "1", description = "Pipeline stages (default ${DEFAULT-VALUE}).")
    int pp;

    @Option(names = "--tp", defaultValue = "1", description = "Tensor-parallel degree (default ${DEFAULT-VALUE}).")
    int tp;

    @Option(names = "--dp", defaultValue = "1", description = "Data-parallel degree (default ${DEFAULT-VALUE}).")
    int dp;

    @Option(names = "--microbatches", defaultValue = "1", description = "Micro-batches per step (default ${DEFAULT-VALUE}).")
    int microBatches;

    @Option(names = "--micro-batch-size", defaultValue = "1",
            description = "Samples per data-parallel replica per micro-batch, as Megatron-LM counts it (default ${DEFAULT-VALUE}).")
    int microBatchSize;

    @Option(names = "--schedule", defaultValue = "1f1b",
            description = "gpipe, 1f1b, interleaved or zb-h1 (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--virtual-stages", paramLabel = "V", defaultValue = "1",
            description = "Model chunks per device group for --schedule interleaved, at least 2 (default ${DEFAULT-VALUE}).")
    int virtualStages;

    @Option(names = "--recompute", paramLabel = "MODE", arity = "0..1", fallbackValue = "full",
            description = "Recompute in the backward pass: none, selective (the attention core) or full (every layer;"
                    + " the default when MODE is left out). With --plan it replaces every stage's mode.")
    String recompute;

    @Option(names = "--sequence-parallel",
            description = "Megatron-LM's sequence parallelism (needs --tp above 1).")
    boolean sequenceParallel;

    @Option(names = "--scatter-gather",
            description = "Send 1/t of each pipeline boundary tensor per tensor rank, then all-gather it (needs --tp above 1).")
    boolean scatterGather;

    @Option(names = "--overlap-grad-reduce",
            description = "Run the data-parallel gradient all-reduce during the last backward (PyTorch DDP) instead of after it.")
    boolean overlapGradReduce;

    @Option(names = "--zero-stage", paramLabel = "Z",
            description = "ZeRO stage over each stage's data-parallel group: 1 shards the optimizer state (Megatron-LM's"
                    + " distributed optimizer), 2 also the gradients, 3 also the parameters; 0 none. With --plan it"
                    + " replaces the plan's stage.")
    Integer zeroStage;

    @Option(names = "--expert-parallel", paramLabel = "E",
            description = "Expert-parallel degree: groups of E data-parallel replicas split each mixture-of-experts"
                    + " layer's experts and exchange tokens by all-to-all (E divides --dp). With --plan it replaces the plan's.")
    Integer expertParallel;

    @Option(names = "--precision", defaultValue = "bf16", description = "fp32, bf16 or fp16 (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--optimizer", defaultValue = "adam", description = "sgd or adam (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write a Chrome trace (open in Perfetto).")
    Path trace;

    @Option(names = "--trace-devices", paramLabel = "DEVICES",
            description = "With --trace: only these devices, for a smaller file: replica:R (data-parallel replica R of every stage)"
                    + " or device ids separated by commas.")
    String traceDevices;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PlacementPlan p;
        ComputationGraph g;
        ClusterSpec c;
        if (plan != null) {
            p = PlanJson.read(plan).plan();
            if (recompute != null) {
                p = p.withRecomputation(Recompute.parse(recompute));
            }
            g = graphOptions.loadFor(plan, p);
            c = LocalTraining.plannedCluster(cluster.resolveFor(plan, p));
        } else {
            g = graphOptions.load();
            c = LocalTraining.plannedCluster(cluster.resolve());
            Map<String, Integer> degrees = new LinkedHashMap<>();
            degrees.put("--pp", pp);
            degrees.put("--tp", tp);
            degrees.put("--dp", dp);
            degrees.put("--microbatches", microBatches);
            degrees.put("--micro-batch-size", microBatchSize);
            degrees.forEach((flag, value) -> {
                if (value < 1) {
                    throw new CliInputException(flag + " must be at least 1, got " + value);
                }
            });
            ParallelConfig config = new ParallelConfig(pp, tp, dp, microBatches, microBatchSize, Schedule.parse(schedule),
                    recompute == null ? Recompute.NONE : Recompute.parse(recompute), Precision.parse(precision),
                    OptimizerKind.parse(optimizer)).withVirtualStages(virtualStages);
            p = StageBalancer.plan(g, c, config, new RooflineCostModel());
        }
        PlanOptions options = p.options();
        p = p.withOptions(new PlanOptions(options.sequenceParallel() || sequenceParallel,
                options.scatterGather() || scatterGather, options.overlapGradientReduce() || overlapGradReduce,
                zeroStage == null ? options.zeroStage() : zeroStage,
                expertParallel == null ? options.expertParallel() : expertParallel));
        SimulationReport report = Simulator.simulate(g, c, p, SimulationOptions.defaults().withTrace(trace != null));
        if (trace != null) {
            if (trace.getParent() != null && !Files.isDirectory(trace.getParent())) {
                throw new CliInputException("--trace " + trace + ": directory " + trace.getParent() + " does not exist");
            }
            TraceFiles.write(trace, report.timeline().orElseThrow(), g, c, report.plan(), traceDevices == null ? "" : traceDevices);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, ReportJson.toJson(report));
        } else {
            SimulationTable.print(report, out);
        }
        out.flush();
        report.outOfMemory().ifPresent(o -> {
            throw new InfeasibleException(String.format(Locale.ROOT,
                    "the plan does not fit: device %s needs %d bytes at %.6f s and has %d; more pipeline stages, "
                            + "--recompute or a smaller --micro-batch-size need less", o.device(), o.neededBytes(),
                    o.atSeconds(), o.capacityBytes()));
        });
    }
}
