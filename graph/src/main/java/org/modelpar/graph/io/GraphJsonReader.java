package org.modelpar.graph.io;

import com.fasterxml.jackson.databind.JsonNode;
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

/** Reads {@code modelpar-graph/1} JSON with errors that name the field path and value. */
final class GraphJsonReader {
    private static final Set<String> TOP = Set.of("format", "name", "measuredBatchSize", "ops", "tensors");
    private static final Set<String> OP = Set.of("id", "name", "kind", "layer", "forwardFlops", "backwardFlops",
            "parameterBytes", "activationBytes", "workspaceBytes", "measured", "attributes");
    private static final Set<String> TIME = Set.of("forwardSeconds", "backwardSeconds", "forwardFixedSeconds",
            "backwardFixedSeconds");
    private static final Set<String> TENSOR = Set.of("id", "from", "to", "bytes");

    private final JsonFields json;
    private final ImportOptions options;

    GraphJsonReader(String label, ImportOptions options) {
        this.json = new JsonFields(label);
        this.options = options;
    }

    ComputationGraph read(String text) {
        JsonNode root = json.object(json.parse(text), "(top level)");
        String format = json.text(root, "", "format");
        if (!GraphJson.FORMAT.equals(format)) {
            throw json.error("format", "expected \"" + GraphJson.FORMAT + "\", got \"" + format + "\"");
        }
        json.onlyFields(root, "", TOP);
        String name = json.text(root, "", "name");
        int batch = json.optional(root, "measuredBatchSize").map(v -> json.positiveInt(v, "measuredBatchSize")).orElse(1);
        List<OpNode> ops = readOps(array(root, "ops", options.maxOps()));
        Set<String> ids = new HashSet<>();
        ops.forEach(op -> ids.add(op.id()));
        List<TensorEdge> tensors = readTensors(json.optional(root, "tensors").isPresent()
                ? array(root, "tensors", options.maxTensors()) : List.of(), ids);
        return labelled(() -> ComputationGraph.of(name, batch, ops, tensors));
    }

    /** Builds a model value, naming this file in the error of a value its constructor refuses. */
    private <T> T labelled(Supplier<T> build) {
        try {
            return build.get();
        } catch (GraphException e) {
            throw new GraphException(json.label() + ": " + e.getMessage(), e);
        }
    }

    private List<JsonNode> array(JsonNode root, String field, int limit) {
        JsonNode a = json.required(root, "", field);
        if (!a.isArray()) {
            throw json.error(field, "expected an array, got " + JsonFields.shown(a));
        }
        if (a.size() > limit) {
            throw json.error(field, a.size() + " entries, more than the limit of " + limit);
        }
        List<JsonNode> list = new ArrayList<>(a.size());
        a.forEach(list::add);
        return list;
    }

    private List<OpNode> readOps(List<JsonNode> nodes) {
        List<OpNode> ops = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String p = "ops[" + i + "]";
            JsonNode o = json.object(nodes.get(i), p);
            json.onlyFields(o, p, OP);
            String id = nonEmpty(o, p, "id");
            String kind = nonEmpty(o, p, "kind");
            String name = json.optional(o, "name").map(v -> json.text(v, p + ".name")).orElse(id);
            String layer = json.optional(o, "layer").map(v -> json.text(v, p + ".layer")).orElse("");
            double fwd = json.nonNegativeDouble(json.required(o, p, "forwardFlops"), p + ".forwardFlops");
            double bwd = json.nonNegativeDouble(json.required(o, p, "backwardFlops"), p + ".backwardFlops");
            long params = json.nonNegativeLong(json.required(o, p, "parameterBytes"), p + ".parameterBytes");
            long act = json.nonNegativeLong(json.required(o, p, "activationBytes"), p + ".activationBytes");
            long work = json.optional(o, "workspaceBytes").map(v -> json.nonNegativeLong(v, p + ".workspaceBytes")).orElse(0L);
            Map<String, MeasuredTime> measured = json.optional(o, "measured").map(v -> measured(v, p + ".measured")).orElse(Map.of());
            Map<String, String> attributes = json.optional(o, "attributes").map(v -> attributes(v, p + ".attributes")).orElse(Map.of());
            ops.add(labelled(() -> new OpNode(id, name, kind, layer, fwd, bwd, params, act, work, measured, attributes)));
        }
        return ops;
    }

    private String nonEmpty(JsonNode o, String p, String field) {
        String v = json.text(o, p, field);
        if (v.isBlank()) {
            throw json.error(p + "." + field, "must be a non-empty string, got \"" + v + "\"");
        }
        return v;
    }

    private Map<String, MeasuredTime> measured(JsonNode v, String p) {
        json.object(v, p);
        Map<String, MeasuredTime> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String tp = p + "." + e.getKey();
            if (e.getKey().isBlank()) {
                throw json.error(p, "device type names must be non-empty, got \"" + e.getKey() + "\"");
            }
            JsonNode t = json.object(e.getValue(), tp);
            json.onlyFields(t, tp, TIME);
            double forward = json.nonNegativeDouble(json.required(t, tp, "forwardSeconds"), tp + ".forwardSeconds");
            double backward = json.nonNegativeDouble(json.required(t, tp, "backwardSeconds"), tp + ".backwardSeconds");
            double forwardFixed = fixed(t, tp, "forwardFixedSeconds", forward);
            double backwardFixed = fixed(t, tp, "backwardFixedSeconds", backward);
            map.put(e.getKey(), new MeasuredTime(forward, backward, forwardFixed, backwardFixed));
        }
        return map;
    }

    /** An optional fixed part, non-negative and at most its time. */
    private double fixed(JsonNode t, String tp, String field, double total) {
        double fixed = json.optional(t, field).map(v -> json.nonNegativeDouble(v, tp + "." + field)).orElse(0.0);
        if (fixed > total) {
            throw json.error(tp + "." + field, "must not exceed its time " + total + ", got " + fixed);
        }
        return fixed;
    }

    private Map<String, String> attributes(JsonNode v, String p) {
        json.object(v, p);
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode a = e.getValue();
            if (!a.isTextual() && !a.isIntegralNumber()) {
                throw json.error(p + "." + e.getKey(), "expected a string or an integer, got " + JsonFields.shown(a));
            }
            map.put(e.getKey(), a.asText());
        }
        return map;
    }

    private List<TensorEdge> readTensors(List<JsonNode> nodes, Set<String> opIds) {
        List<TensorEdge> tensors = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String p = "tensors[" + i + "]";
            JsonNode t = json.object(nodes.get(i), p);
            json.onlyFields(t, p, TENSOR);
            String id = nonEmpty(t, p, "id");
            String from = endpoint(t, p, "from", opIds);
            String to = endpoint(t, p, "to", opIds);
            long bytes = json.nonNegativeLong(json.required(t, p, "bytes"), p + ".bytes");
            tensors.add(labelled(() -> new TensorEdge(id, from, to, bytes)));
        }
        return tensors;
    }

    private String endpoint(JsonNode t, String p, String field, Set<String> opIds) {
        String op = json.text(t, p, field);
        if (!opIds.contains(op)) {
            throw json.error(p + "." + field, "unknown op \"" + op + "\"");
        }
        return op;
    }
}
