package org.modelpar.graph.io;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;

/** Reads {@code modelpar-graph/1} JSON with errors that name the field path and value. */
final class GraphJsonReader {
    private static final Set<String> TOP = Set.of("format", "name", "measuredBatchSize", "dropout", "ops", "tensors");
    private static final Set<String> OP = Set.of("id", "name", "kind", "layer", "forwardFlops", "backwardFlops",
            "parameterBytes", "activationBytes", "workspaceBytes", "measured", "attributes");
    private static final Set<String> TIME = Set.of("forwardSeconds", "backwardSeconds", "forwardFixedSeconds",
            "backwardFixedSeconds");
    private static final Set<String> TENSOR = Set.of("id", "from", "to", "bytes");

    private final String label;
    private final ImportOptions options;

    GraphJsonReader(String label, ImportOptions options) {
        this.label = label;
        this.options = options;
    }

    ComputationGraph read(String text) {
        try {
            return readTree(Json.parse(text, label).requireObject());
        } catch (ProfileException e) {
            throw new GraphException(e.getMessage(), e);
        }
    }

    private ComputationGraph readTree(Json root) {
        String format = root.field("format").string();
        if (!GraphJson.FORMAT.equals(format)) {
            throw root.field("format").error("expected \"" + GraphJson.FORMAT + "\", got \"" + format + "\"");
        }
        root.allowOnly(TOP);
        String name = root.field("name").string();
        int batch = root.field("measuredBatchSize").optional().map(Json::positiveInt).orElse(1);
        List<OpNode> ops = readOps(array(root.field("ops"), options.maxOps()));
        Set<String> ids = new HashSet<>();
        ops.forEach(op -> ids.add(op.id()));
        List<TensorEdge> tensors = readTensors(root.field("tensors").optional()
                .map(t -> array(t, options.maxTensors())).orElse(List.of()), ids);
        boolean dropout = root.field("dropout").optional().map(Json::bool).orElse(true);
        return labelled(() -> ComputationGraph.of(name, batch, ops, tensors)).withDropout(dropout);
    }

    /** Builds a model value, naming this file in the error of a value its constructor refuses. */
    private <T> T labelled(Supplier<T> build) {
        try {
            return build.get();
        } catch (GraphException e) {
            throw new GraphException(label + ": " + e.getMessage(), e);
        }
    }

    private static List<Json> array(Json field, int limit) {
        List<Json> list = field.array();
        if (list.size() > limit) {
            throw field.error(list.size() + " entries, more than the limit of " + limit);
        }
        return list;
    }

    private List<OpNode> readOps(List<Json> nodes) {
        List<OpNode> ops = new ArrayList<>(nodes.size());
        for (Json o : nodes) {
            o.allowOnly(OP);
            String id = o.field("id").nonBlankString();
            String kind = o.field("kind").nonBlankString();
            String name = o.field("name").optionalString().orElse(id);
            String layer = o.field("layer").optionalString().orElse("");
            double fwd = o.field("forwardFlops").nonNegative();
            double bwd = o.field("backwardFlops").nonNegative();
            long params = o.field("parameterBytes").nonNegativeLong();
            long act = o.field("activationBytes").nonNegativeLong();
            long work = o.field("workspaceBytes").optional().map(Json::nonNegativeLong).orElse(0L);
            Map<String, MeasuredTime> measured = o.field("measured").optional().map(GraphJsonReader::measured)
                    .orElse(Map.of());
            Map<String, String> attributes = o.field("attributes").optional().map(GraphJsonReader::attributes)
                    .orElse(Map.of());
            ops.add(labelled(() -> new OpNode(id, name, kind, layer, fwd, bwd, params, act, work, measured, attributes)));
        }
        return ops;
    }

    private static Map<String, MeasuredTime> measured(Json v) {
        Map<String, MeasuredTime> map = new LinkedHashMap<>();
        for (Map.Entry<String, Json> e : v.members()) {
            if (e.getKey().isBlank()) {
                throw v.error("device type names must be non-empty, got \"" + e.getKey() + "\"");
            }
            Json t = e.getValue().requireObject().allowOnly(TIME);
            double forward = t.field("forwardSeconds").nonNegative();
            double backward = t.field("backwardSeconds").nonNegative();
            double forwardFixed = fixed(t.field("forwardFixedSeconds"), forward);
            double backwardFixed = fixed(t.field("backwardFixedSeconds"), backward);
            map.put(e.getKey(), new MeasuredTime(forward, backward, forwardFixed, backwardFixed));
        }
        return map;
    }

    /** An optional fixed part, non-negative and at most its time. */
    private static double fixed(Json field, double total) {
        double fixed = field.optional().map(Json::nonNegative).orElse(0.0);
        if (fixed > total) {
            throw field.error("must not exceed its time " + total + ", got " + fixed);
        }
        return fixed;
    }

    private static Map<String, String> attributes(Json v) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, Json> e : v.members()) {
            Json a = e.getValue();
            if (!a.node().isTextual() && !a.node().isIntegralNumber()) {
                throw a.error("expected a string or an integer, got " + Json.show(a.node()));
            }
            map.put(e.getKey(), a.node().asText());
        }
        return map;
    }

    private List<TensorEdge> readTensors(List<Json> nodes, Set<String> opIds) {
        List<TensorEdge> tensors = new ArrayList<>(nodes.size());
        for (Json t : nodes) {
            t.allowOnly(TENSOR);
            String id = t.field("id").nonBlankString();
            String from = endpoint(t.field("from"), opIds);
            String to = endpoint(t.field("to"), opIds);
            long bytes = t.field("bytes").nonNegativeLong();
            tensors.add(labelled(() -> new TensorEdge(id, from, to, bytes)));
        }
        return tensors;
    }

    private static String endpoint(Json field, Set<String> opIds) {
        String op = field.string();
        if (!opIds.contains(op)) {
            throw field.error("unknown op \"" + op + "\"");
        }
        return op;
    }
}
