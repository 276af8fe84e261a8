package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.coarsen.Coarsener;
import org.modelpar.graph.io.DotWriter;
import org.modelpar.graph.io.GraphJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code modelpar graph}: summary of a built-in model or a graph file; writes JSON or DOT on request. */
@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Summarizes a computation graph: ops, tensors, parameters, FLOPs, activation bytes.")
final class GraphCommand implements Callable<Integer> {
    @Mixin
    GraphOptions source;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the graph as native JSON (modelpar-graph/1).")
    Path out;

    @Option(names = "--dot", paramLabel = "FILE", description = "Write the graph as Graphviz DOT.")
    Path dot;

    @Option(names = "--coarsen", paramLabel = "N", description = "Coarsen to at most N blocks first.")
    Integer coarsen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ComputationGraph g = source.load();
        if (coarsen != null) {
            if (coarsen < 1) {
                throw new CliInputException("--coarsen must be at least 1, got " + coarsen);
            }
            g = Coarsener.toAtMost(g, coarsen).graph();
        }
        if (out != null) {
            GraphJson.write(g, out);
        }
        if (dot != null) {
            DotWriter.write(g, dot);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(w, GraphSummary.json(g));
            w.flush();
        } else {
            GraphSummary.table(g, w);
        }
        return 0;
    }
}
