package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.modelpar.executor.PlanSupport;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.ModelSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.PlanResult;
import org.modelpar.solver.Planner;
import org.modelpar.solver.SearchProgress;
import org.modelpar.workflow.LocalTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar plan}: searches the fastest plan that fits, prints it with its explanation and writes the
 * plan file. Exit 3 when nothing fits.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Searches the fastest placement that fits in memory and explains it.")
final class PlanCommand implements Runnable {
    @Mixin
    GraphOptions graphOptions;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--global-batch", required = true, paramLabel = "B", description = "Samples per training step.")
    int globalBatch;

    @Option(names = "--pp", paramLabel = "P", description = "Fix the pipeline degree.")
    Integer pipeline;

    @Option(names = "--tp", paramLabel = "T", description = "Fix the tensor-parallel degree.")
    Integer tensor;

    @Option(names = "--dp", paramLabel = "D", description = "Fix the data-parallel degree.")
    Integer data;

    @Option(names = "--microbatches", paramLabel = "M", description = "Fix the number of micro-batches.")
    Integer microBatches;

    @Option(names = "--schedule", paramLabel = "S", description = "Fix the schedule: gpipe, 1f1b, interleaved or zb-h1.")
    String schedule;

    @Option(names = "--virtual-stages", paramLabel = "V",
            description = "Fix the model chunks per device group of --schedule interleaved (default: searched).")
    Integer virtualStages;

    @Option(names = "--sequence-parallel", paramLabel = "on|off",
            description = "Fix Megatron-LM sequence parallelism where the tensor degree is above 1 (default: search both).")
    String sequenceParallel;

    @Option(names = "--overlap-grad-reduce", paramLabel = "on|off",
            description = "Fix overlapping the gradient all-reduce with the last backward (default: search both).")
    String overlapGradReduce;

    @Option(names = "--zero-stage", paramLabel = "Z",
            description = "Fix the ZeRO stage 0-3 over each stage's data-parallel group (default: searched; not on local workers).")
    Integer zeroStage;

    @Option(names = "--expert-parallel", paramLabel = "E",
            description = "Fix the expert-parallel degree of mixture-of-experts layers; E divides the data degree"
                    + " (default: searched over the degrees dividing the expert count and the data degree).")
    Integer expertParallel;

    @Option(names = "--precision", paramLabel = "P", description = "fp32, bf16 or fp16 (default: the --from plan's, else"
            + " fp32 on local clusters, which train in fp32, and bf16 elsewhere).")
    String precision;

    @Option(names = "--optimizer", paramLabel = "O", description = "adam or sgd (default: adam, or the --from plan's).")
    String optimizer;

    @Option(names = "--time-limit", paramLabel = "DURATION", description = "Stop searching after this long, e.g. 30s, 2m;"
            + " the plan then depends on machine speed and its explanation says what was not searched (default: no"
            + " limit, the search is bounded by counts and gives the same plan on any machine).")
    String timeLimit;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-blocks", paramLabel = "N", defaultValue = "256", description = "Most op blocks to place (default: ${DEFAULT-VALUE}).")
    int maxBlocks;

    @Option(names = "--memory-margin", paramLabel = "F", defaultValue = "0.05",
            description = "Fraction of every device's memory the plan leaves free (default: ${DEFAULT-VALUE}).")
    double memoryMargin;

    @Option(names = "--pin", paramLabel = "OP=STAGE", description = "Place an op on a stage (repeatable).")
    Map<String, Integer> pins = new LinkedHashMap<>();

    @Option(names = "--from", paramLabel = "FILE", description = "Re-plan from an earlier plan (its precision and optimizer"
            + " unless given) and say what changed.")
    Path from;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the plan file (modelpar-plan/1).")
    Path out;

    @Option(names = "--json", description = "Print the plan file as one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        ComputationGraph graph = graphOptions.load();
        ClusterSpec c = LocalTraining.plannedCluster(cluster.resolve());
        if (globalBatch < 1) {
            throw new CliInputException("--global-batch must be at least 1, got " + globalBatch);
        }
        Optional<PlanFile> previous = Optional.ofNullable(from).map(PlanJson::read);
        PlanRequest request = PlanRequest.of(globalBatch)
                .withDegrees(opt(pipeline, "--pp"), opt(tensor, "--tp"), opt(data, "--dp"), opt(microBatches, "--microbatches"))
                .withSchedule(Optional.ofNullable(schedule).map(Schedule::parse), opt(virtualStages, "--virtual-stages"))
                .withPrecision(precision != null ? Precision.parse(precision) : previous.map(f -> f.plan().precision()).orElse(LocalTraining.defaultPrecision(c)),
                        optimizer != null ? OptimizerKind.parse(optimizer) : previous.map(f -> f.plan().optimizer()).orElse(OptimizerKind.ADAM))
                .withPins(pins(graph))
                .withSeed(seed)
                .withTimeLimit(Optional.ofNullable(timeLimit).map(Durations::parse))
                .withMaxBlocks(positive(maxBlocks, "--max-blocks"))
                .withMemoryMargin(margin(memoryMargin))
                .withPlanOptions(onOff(sequenceParallel, "--sequence-parallel"), onOff(overlapGradReduce, "--overlap-grad-reduce"))
                .withSharding(zeroStage(), opt(expertParallel, "--expert-parallel"));
        PrintWriter err = spec.commandLine().getErr();
        boolean showProgress = !json && System.console() != null;
        SearchProgress progress = showProgress ? (tried, total, best) -> {
            if (tried % 50 == 0 || tried == total) {
                err.printf("\rplan: %d/%d configurations, best so far %s", tried, total, best);
                err.flush();
            }
        } : SearchProgress.NONE;
        PlanResult result = new Planner().plan(graph, c, LocalTraining.executable(graph, c, request), progress, previous.map(PlanFile::plan));
        if (showProgress) {
            err.println();
        }
        if (out != null) {
            PlanJson.write(result.best(), out);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(PlanJson.write(result.best()));
        } else {
            print(result, o);
            GraphSummary.sequence(ModelSize.of(graph)).ifPresent(l -> o.println("  sequence length: " + l));
            previous.ifPresent(p -> PlanChanges.describe(p.plan(), result.best().plan()).forEach(l -> o.println("  " + l)));
            localNotes(graph, c, result.best().plan()).forEach(l -> o.println("  note: " + l));
        }
        o.flush();
    }

    private static void print(PlanResult r, PrintWriter o) {
        PlanFile f = r.best();
        o.printf("plan for %s on %s, global batch %d: %.4f s per step, %.1f samples/s (searched %.1f s)%n",
                f.plan().graphName(), f.plan().clusterName(), f.plan().globalBatchSize(), r.report().stepSeconds(),
                r.report().samplesPerSecond(), r.searchSeconds());
        o.printf("%-6s %-8s %-24s %6s %10s %s%n", "stage", "devices", "first..last device", "ops", "compute s", "recompute");
        for (Stage s : f.plan().stages()) {
            o.printf("%-6d %-8d %-24s %6d %10.6f %s%n", s.index(), s.devices().size(),
                    s.devices().get(0) + ".." + s.devices().get(s.devices().size() - 1), s.ops().size(),
                    f.computeSeconds().get(s.index()), s.recomputation().jsonName());
        }
        f.explanation().lines().forEach(l -> o.println("  " + l));
        for (Explanation.RunnerUp u : f.explanation().runnerUps()) {
            o.printf("  runner-up %s: %s%n", u.configuration(), u.reason());
        }
    }

    /** What a plan for this machine's workers should say: where its op times come from, what train can run. */
    static List<String> localNotes(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        boolean local = cluster.devices().stream().allMatch(d -> d.profile().name().equals(Profiler.DEVICE_TYPE));
        List<String> notes = new ArrayList<>();
        if (!local) {
            return notes;
        }
        if (graph.ops().stream().anyMatch(op -> op.measuredOn(Profiler.DEVICE_TYPE).isEmpty())) {
            notes.add("op times from the roofline of the profile; 'modelpar profile --model M --graph-out FILE' measures"
                    + " them on this machine (then plan with --graph FILE)");
        }
        if (!PlanSupport.runsTensorDegree(graph, plan.tensorParallel())) {
            notes.add("the executor cannot split graph '" + graph.name() + "' over tensor degree " + plan.tensorParallel()
                    + ": plan with --tp 1 to train this on local workers");
        }
        return notes;
    }

    /** The --pin options, checked against the graph. */
    private Map<String, Integer> pins(ComputationGraph graph) {
        for (Map.Entry<String, Integer> pin : pins.entrySet()) {
            if (graph.op(pin.getKey()).isEmpty()) {
                throw new CliInputException("--pin " + pin.getKey() + "=" + pin.getValue() + ": graph '" + graph.name()
                        + "' has no op '" + pin.getKey() + "'");
            }
            if (pin.getValue() < 0) {
                throw new CliInputException("--pin " + pin.getKey() + "=" + pin.getValue() + ": stage must be non-negative");
            }
        }
        return pins;
    }

    private static double margin(double f) {
        if (!(f >= 0 && f < 1)) {
            throw new CliInputException("--memory-margin must be at least 0 and below 1, got " + f);
        }
        return f;
    }

    private static Optional<Boolean> onOff(String value, String name) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value) {
            case "on" -> Optional.of(true);
            case "off" -> Optional.of(false);
            default -> throw new CliInputException(name + " must be on or off, got '" + value + "'");
        };
    }

    private OptionalInt zeroStage() {
        if (zeroStage != null && (zeroStage < 0 || zeroStage > 3)) {
            throw new CliInputException("--zero-stage must be 0, 1, 2 or 3, got " + zeroStage);
        }
        return zeroStage == null ? OptionalInt.empty() : OptionalInt.of(zeroStage);
    }

    private static OptionalInt opt(Integer v, String name) {
        return v == null ? OptionalInt.empty() : OptionalInt.of(positive(v, name));
    }

    private static int positive(int v, String name) {
        if (v < 1) {
            throw new CliInputException(name + " must be at least 1, got " + v);
        }
        return v;
    }
}
