package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;

/** The {@code graph} summary: as a JSON map with the keys of docs/graph.md#command-line, or as a table. */
final class GraphSummary {
    private GraphSummary() {
    }

    /** Parameter count, or null when the parameter bytes are not a whole number of fp32 values. */
    static Long parameterCount(ComputationGraph g) {
        return g.parameterBytes() % 4 == 0 ? g.parameterBytes() / 4 : null;
    }

    static Map<String, Object> json(ComputationGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("opCount", g.opCount());
        m.put("tensorCount", g.tensorCount());
        m.put("parameterBytes", g.parameterBytes());
        m.put("parameterCount", parameterCount(g));
        m.put("forwardFlopsPerSample", g.forwardFlopsPerSample());
        m.put("backwardFlopsPerSample", g.backwardFlopsPerSample());
        m.put("measuredSeconds", g.measuredSeconds());
        m.put("measuredBatchSize", g.measuredBatchSize());
        m.put("activationBytesPerSample", g.activationBytesPerSample());
        m.put("tensorBytesPerSample", g.tensors().stream().mapToLong(t -> t.bytes()).sum());
        return m;
    }

    static void table(ComputationGraph g, PrintWriter out) {
        Long count = parameterCount(g);
        row(out, "model", g.name());
        row(out, "ops", HumanUnits.grouped(g.opCount()));
        row(out, "tensors", HumanUnits.grouped(g.tensorCount()));
        row(out, "parameters", (count == null ? "unknown" : HumanUnits.count(count) + " (" + HumanUnits.grouped(count) + ")")
                + ", " + HumanUnits.bytes(g.parameterBytes()) + " at fp32");
        row(out, "forward", HumanUnits.si(g.forwardFlopsPerSample(), "FLOP") + " per sample");
        row(out, "backward", HumanUnits.si(g.backwardFlopsPerSample(), "FLOP") + " per sample");
        row(out, "activations", HumanUnits.bytes(g.activationBytesPerSample()) + " per sample at fp32");
        if (g.measuredSeconds().isEmpty()) {
            row(out, "measured", "none");
        }
        g.measuredSeconds().forEach((type, s) -> row(out, "measured", type + ": " + HumanUnits.seconds(s)
                + " forward+backward for " + g.measuredBatchSize() + (g.measuredBatchSize() == 1 ? " sample" : " samples")));
        out.flush();
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf("%-12s %s%n", key, value);
    }
}
