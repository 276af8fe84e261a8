package org.modelpar.cli;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.io.GraphFormat;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.io.GraphReader;
import org.modelpar.graph.io.ImportOptions;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.workflow.ModelTimes;
import picocli.CommandLine.Option;

/**
 * Reusable picocli mixin ({@code @Mixin GraphOptions graph;}) that turns {@code --model} or
 * {@code --graph FILE [--format ...] [--seq-len TOKENS] [--measured-on TYPE] [--batch-size N]} into a graph. Commands that read
 * a plan file call {@link #loadFor(Path, PlacementPlan)}: without {@code --model}/{@code --graph} it rebuilds the
 * built-in model the plan names.
 */
public final class GraphOptions {
    @Option(names = "--model", paramLabel = "M",
            description = "Built-in model (see 'modelpar models') or gpt:layers=L,hidden=H,heads=A,seq=S,vocab=V / mlp:layers=L,width=W"
                    + " / dag:ops=N,seed=S; with --plan, default: the model the plan names.")
    String model;

    @Option(names = "--graph", paramLabel = "FILE",
            description = "Graph file (native JSON, PipeDream graph.txt, Hugging Face config.json or ONNX model).")
    Path graphFile;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "Format of --graph: json, pipedream, hf-config or onnx (default: from the file name).")
    String format;

    @Option(names = "--measured-on", paramLabel = "TYPE", defaultValue = ImportOptions.DEFAULT_MEASURED_ON,
            description = "Device type PipeDream times were measured on (default: ${DEFAULT-VALUE}).")
    String measuredOn;

    @Option(names = "--seq-len", paramLabel = "TOKENS",
            description = "Tokens per sample of a Hugging Face config, a transformer preset or an ONNX model's symbolic"
                    + " dimensions (default: the config's max_position_embeddings, at most 4096; the preset's own).")
    Integer seqLen;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1",
            description = "Samples per profiled minibatch of a PipeDream file (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** Options for --model / --graph given programmatically (other import options at their defaults). */
    static GraphOptions of(String model, Path graphFile) {
        GraphOptions o = new GraphOptions();
        o.model = model;
        o.graphFile = graphFile;
        o.measuredOn = ImportOptions.DEFAULT_MEASURED_ON;
        o.batchSize = 1;
        return o;
    }

    /**
     * The graph of the plan read from {@code planFile}: the one the options name, or else the built-in model
     * the plan names; when that model's content hash is not the plan's, this machine's timed copy of it with
     * the plan's hash ({@link ModelTimes#timedFile}, what {@code modelpar run} plans local workers from). A graph
     * whose content hash differs from the plan's is refused ({@link PlanValidator#requireGraph}, exit 2), saying
     * to pass {@code --graph} when the graph was not named.
     */
    public ComputationGraph loadFor(Path planFile, PlacementPlan plan) {
        ComputationGraph g;
        if (given()) {
            g = load();
        } else {
            try {
                g = ModelZoo.build(plan.graphName());
            } catch (GraphException e) {
                throw new CliInputException(planFile + ": the plan's graph '" + plan.graphName()
                        + "' is not a built-in model; pass --graph FILE (or --model M)");
            }
            if (!plan.graphHash().isEmpty() && !plan.graphHash().equals(GraphJson.contentHash(g))) {
                g = ModelTimes.timedFile(g, plan.graphHash(), LocalCluster.modelparHome()).map(GraphJson::read).orElse(g);
            }
        }
        try {
            PlanValidator.requireGraph(plan, g);
        } catch (PlanException e) {
            throw new PlanException(planFile + ": " + e.getMessage() + (given() ? ""
                    : "; the built-in model is not the graph this plan was made from: pass --graph FILE with that graph"), e);
        }
        return g;
    }

    private OptionalInt sequenceLength() {
        if (seqLen != null && (seqLen < 1 || seqLen > ImportOptions.MAX_SEQUENCE_LENGTH)) {
            throw new CliInputException("--seq-len must be between 1 and " + ImportOptions.MAX_SEQUENCE_LENGTH + ", got " + seqLen);
        }
        return seqLen == null ? OptionalInt.empty() : OptionalInt.of(seqLen);
    }

    /** Whether --model or --graph was given. */
    boolean given() {
        return model != null || graphFile != null;
    }

    /** The graph the options name; bad input is a CliInputException or GraphException (exit 2). */
    public ComputationGraph load() {
        if ((model == null) == (graphFile == null)) {
            throw new CliInputException(model == null ? "give --model NAME or --graph FILE"
                    : "give either --model or --graph, not both (got --model " + model + " and --graph " + graphFile + ")");
        }
        if (model != null) {
            if (format != null) {
                throw new CliInputException("--format applies to --graph files, not to --model " + model);
            }
            return ModelZoo.build(model, sequenceLength());
        }
        GraphFormat f = format == null ? GraphFormat.guess(graphFile) : GraphFormat.parse(format);
        ImportOptions options = ImportOptions.defaults().withMeasuredOn(measuredOn).withBatchSize(batchSize);
        if (seqLen != null) {
            if (f != GraphFormat.HF_CONFIG && f != GraphFormat.ONNX) {
                throw new CliInputException("--seq-len applies to Hugging Face configs, ONNX models and zoo models, not to " + f + " files");
            }
            options = options.withSequenceLength(sequenceLength().getAsInt());
        }
        return GraphReader.read(graphFile, f, options);
    }
}
