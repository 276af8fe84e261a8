package org.modelpar.graph.io;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * Reads PipeDream's profiler output {@code graph.txt} (Narayanan et al., "PipeDream: Generalized Pipeline
 * Parallelism for DNN Training", SOSP 2019). Node lines {@code id -- description -- key=value, ...}; edge
 * lines {@code <TAB>from -- to}. Forward/backward milliseconds become measured seconds on
 * {@link ImportOptions#measuredOn()} for {@link ImportOptions#batchSize()} samples; {@code activation_size}
 * (a list {@code [a; b]} is summed) divided by the batch size becomes the op's output bytes per sample and
 * each outgoing tensor's bytes; {@code parameter_size} the parameter bytes; FLOPs are unknown (0).
 * {@code Input*} nodes are zero-cost sources, as in PipeDream's optimizer.
 */
final class PipeDreamReader {
    private static final String SEP = " -- ";
    private static final List<String> KEYS = List.of("forward_compute_time", "backward_compute_time",
            "activation_size", "parameter_size");
    private static final BigDecimal MAX_BYTES = BigDecimal.valueOf(1L << 62);
    private static final int MAX_SHOWN = 60;

    private final String label;
    private final ImportOptions options;
    private final Map<String, OpNode> ops = new LinkedHashMap<>();
    private final List<TensorEdge> tensors = new ArrayList<>();
    private final Map<String, Integer> edgeCounts = new HashMap<>();

    PipeDreamReader(String label, ImportOptions options) {
        this.label = label;
        this.options = options;
    }

    ComputationGraph read(String text) {
        String[] lines = text.split("\r?\n", -1);
        List<Integer> edgeLines = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineNo = i + 1;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("\t")) {
                edgeLines.add(i);
            } else {
                node(line, lineNo);
            }
        }
        for (int i : edgeLines) {
            edge(lines[i].trim(), i + 1);
        }
        if (ops.isEmpty()) {
            throw new GraphException(label + ": no nodes (expected lines 'nodeId -- description -- forward_compute_time=...')");
        }
        requireConnected();
        try {
            return ComputationGraph.of(graphName(), options.batchSize(), List.copyOf(ops.values()), tensors);
        } catch (GraphException e) {
            throw new GraphException(label + ": " + e.getMessage(), e);
        }
    }

    /**
     * A profiled model is one connected graph: a node that no chain of edges joins to the first node means
     * edge lines are missing, as when the file is cut at a line boundary (a cut inside a line is a malformed line).
     */
    private void requireConnected() {
        Map<String, List<String>> neighbours = new HashMap<>();
        for (TensorEdge t : tensors) {
            neighbours.computeIfAbsent(t.from(), k -> new ArrayList<>()).add(t.to());
            neighbours.computeIfAbsent(t.to(), k -> new ArrayList<>()).add(t.from());
        }
        String first = ops.keySet().iterator().next();
        Set<String> reached = new HashSet<>(List.of(first));
        ArrayDeque<String> todo = new ArrayDeque<>(reached);
        while (!todo.isEmpty()) {
            for (String n : neighbours.getOrDefault(todo.pop(), List.of())) {
                if (reached.add(n)) {
                    todo.push(n);
                }
            }
        }
        if (reached.size() < ops.size()) {
            String apart = ops.keySet().stream().filter(n -> !reached.contains(n)).findFirst().orElseThrow();
            throw new GraphException(label + ": node '" + apart + "' (and " + (ops.size() - reached.size() - 1)
                    + " more) is joined to node '" + first + "' by no edge: " + tensors.size() + " edges for " + ops.size()
                    + " nodes; the file looks truncated (a PipeDream profile is one connected graph)");
        }
    }

    private String graphName() {
        String n = label;
        for (String suffix : List.of(".graph.txt", ".txt")) {
            if (n.endsWith(suffix) && n.length() > suffix.length()) {
                return n.substring(0, n.length() - suffix.length());
            }
        }
        return n;
    }

    private GraphException error(int line, String message) {
        return new GraphException(label + ":" + line + ": " + message);
    }

    private static String shown(String s) {
        return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "..." : s;
    }

    private void node(String line, int lineNo) {
        int first = line.indexOf(SEP);
        int last = line.lastIndexOf(SEP);
        if (first < 0 || last < first + SEP.length()) {
            throw error(lineNo, "expected 'nodeId -- description -- metrics', got '" + shown(line) + "'");
        }
        String id = line.substring(0, first).trim();
        String description = line.substring(first + SEP.length(), last).trim();
        Map<String, String> metrics = metrics(line.substring(last + SEP.length()), lineNo);
        if (id.isEmpty() || id.contains(" ")) {
            throw error(lineNo, "node id '" + id + "' must be one word");
        }
        if (ops.size() >= options.maxOps()) {
            throw error(lineNo, "more than " + options.maxOps() + " nodes (the op limit)");
        }
        boolean input = description.startsWith("Input");
        double fwdMs = input ? 0 : milliseconds(metrics, "forward_compute_time", lineNo);
        double bwdMs = input ? 0 : milliseconds(metrics, "backward_compute_time", lineNo);
        long activation = bytes(metrics, "activation_size", lineNo, options.batchSize());
        long parameters = input ? 0 : bytes(metrics, "parameter_size", lineNo, 1);
        OpNode op = new OpNode(id, description, kind(description), id, 0, 0, parameters, activation, 0,
                Map.of(options.measuredOn(), new MeasuredTime(fwdMs / 1000.0, bwdMs / 1000.0)), Map.of());
        if (ops.putIfAbsent(id, op) != null) {
            throw error(lineNo, "duplicate node '" + id + "'");
        }
    }

    private Map<String, String> metrics(String text, int lineNo) {
        Map<String, String> m = new HashMap<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw error(lineNo, "truncated or malformed metric '" + shown(p) + "' (expected key=value)");
            }
            m.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        for (String key : KEYS) {
            if (!m.containsKey(key)) {
                throw error(lineNo, "missing " + key);
            }
        }
        return m;
    }

    private double milliseconds(Map<String, String> metrics, String key, int lineNo) {
        BigDecimal v = number(metrics.get(key), key, lineNo);
        return v.doubleValue();
    }

    /** A byte count (a list {@code [a; b]} is summed) divided by {@code divisor}, rounded to the nearest byte. */
    private long bytes(Map<String, String> metrics, String key, int lineNo, int divisor) {
        String raw = metrics.get(key);
        BigDecimal sum = BigDecimal.ZERO;
        if (raw.startsWith("[")) {
            if (!raw.endsWith("]")) {
                throw error(lineNo, key + " '" + shown(raw) + "' is an unterminated list");
            }
            for (String part : raw.substring(1, raw.length() - 1).split(";")) {
                sum = sum.add(number(part.trim(), key, lineNo));
            }
        } else {
            sum = number(raw, key, lineNo);
        }
        if (sum.compareTo(MAX_BYTES) >= 0) {
            throw error(lineNo, key + " " + raw + " is too large (limit 2^62 bytes)");
        }
        return sum.divide(BigDecimal.valueOf(divisor), 0, RoundingMode.HALF_UP).longValueExact();
    }

    private BigDecimal number(String raw, String key, int lineNo) {
        BigDecimal v;
        try {
            v = new BigDecimal(raw);
        } catch (NumberFormatException e) {
            throw error(lineNo, key + " '" + shown(raw) + "' is not a number");
        }
        if (v.signum() < 0) {
            throw error(lineNo, key + " " + raw + " must be non-negative");
        }
        if (v.compareTo(MAX_BYTES) >= 0) {
            throw error(lineNo, key + " " + raw + " is too large (limit 2^62)");
        }
        return v;
    }

    private void edge(String text, int lineNo) {
        int sep = text.indexOf(SEP);
        if (sep < 0 || text.indexOf(SEP, sep + 1) >= 0) {
            throw error(lineNo, "expected an edge '<TAB>nodeA -- nodeB', got '" + shown(text) + "'");
        }
        String from = text.substring(0, sep).trim();
        String to = text.substring(sep + SEP.length()).trim();
        for (String end : List.of(from, to)) {
            if (!ops.containsKey(end)) {
                throw error(lineNo, "edge refers to unknown node '" + end + "'");
            }
        }
        if (tensors.size() >= options.maxTensors()) {
            throw error(lineNo, "more than " + options.maxTensors() + " edges (the tensor limit)");
        }
        String base = from + "->" + to;
        int n = edgeCounts.merge(base, 1, Integer::sum);
        tensors.add(new TensorEdge(n == 1 ? base : base + "#" + n, from, to, ops.get(from).activationBytes()));
    }

    /** The op kind from a PyTorch module repr: {@code Conv2d(...)} -> {@code conv2d}, {@code Input0} -> {@code input}. */
    static String kind(String description) {
        if (description.startsWith("Input")) {
            return "input";
        }
        int end = 0;
        while (end < description.length() && Character.isJavaIdentifierPart(description.charAt(end))) {
            end++;
        }
        String k = description.substring(0, end).toLowerCase(Locale.ROOT);
        return k.isEmpty() ? "unknown" : k;
    }
}
