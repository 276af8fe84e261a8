package org.modelpar.graph.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/** Writes a graph as Graphviz DOT: one box per op (id, kind, FLOPs, parameters), edges labelled with bytes. */
public final class DotWriter {
    private DotWriter() {
    }

    public static String toDot(ComputationGraph graph) {
        StringBuilder b = new StringBuilder();
        b.append("digraph ").append(quote(graph.name())).append(" {\n");
        b.append("  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
        for (OpNode op : graph.ops()) {
            String label = escape(op.id()) + "\\n" + escape(op.kind())
                    + (op.forwardFlops() > 0 ? "\\n" + String.format(Locale.ROOT, "%.3g FLOP", op.forwardFlops()) : "")
                    + (op.parameterBytes() > 0 ? "\\n" + op.parameterCount() + " params" : "");
            b.append("  ").append(quote(op.id())).append(" [label=\"").append(label).append("\"];\n");
        }
        for (TensorEdge t : graph.tensors()) {
            b.append("  ").append(quote(t.from())).append(" -> ").append(quote(t.to()))
                    .append(" [label=").append(quote(t.bytes() + " B")).append("];\n");
        }
        return b.append("}\n").toString();
    }

    public static void write(ComputationGraph graph, Path file) {
        try {
            AtomicFiles.writeString(file, toDot(graph));
        } catch (IOException e) {
            throw new GraphException(file + ": cannot write: " + AtomicFiles.reason(e), e);
        }
    }

    private static String quote(String s) {
        return "\"" + escape(s) + "\"";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
