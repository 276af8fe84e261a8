package org.modelpar.graph.zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;

/**
 * Parses {@code family:key=value,...} model specs; errors name the spec, the key and the value. Values are
 * at most {@value #MAX_VALUE} (layers {@value #MAX_LAYERS}), so per-op sizes stay far below 2^63 and graphs
 * fit in memory.
 */
final class SpecParameters {
    static final int MAX_VALUE = 1_000_000;
    /** Layers are capped lower: every layer adds up to 12 ops. */
    static final int MAX_LAYERS = 10_000;

    private SpecParameters() {
    }

    static Map<String, Integer> parse(String spec, List<String> required, List<String> optional) {
        String body = spec.substring(spec.indexOf(':') + 1);
        Map<String, Integer> values = new LinkedHashMap<>();
        for (String part : body.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new GraphException("model '" + spec + "': expected key=value, got '" + p + "'");
            }
            String key = p.substring(0, eq).trim();
            String raw = p.substring(eq + 1).trim();
            if (!required.contains(key) && !optional.contains(key)) {
                List<String> known = new ArrayList<>(required);
                known.addAll(optional);
                throw new GraphException("model '" + spec + "': unknown key '" + key + "' (expected " + String.join(", ", known) + ")");
            }
            int value;
            try {
                value = Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                throw new GraphException("model '" + spec + "': " + key + " '" + raw + "' is not an integer");
            }
            int min = key.equals("seed") || key.equals("layers") && spec.startsWith("mlp:") ? 0 : 1;
            int max = key.equals("layers") ? MAX_LAYERS : MAX_VALUE;
            if (value < min || value > max) {
                throw new GraphException("model '" + spec + "': " + key + " must be between " + min + " and "
                        + max + ", got " + value);
            }
            if (values.put(key, value) != null) {
                throw new GraphException("model '" + spec + "': " + key + " given twice");
            }
        }
        for (String key : required) {
            if (!values.containsKey(key)) {
                throw new GraphException("model '" + spec + "': missing " + key);
            }
        }
        return values;
    }

    /** Runs a builder, prefixing its validation errors with the spec and turning overflow into an error. */
    static ComputationGraph checked(String spec, Supplier<ComputationGraph> builder) {
        try {
            return builder.get();
        } catch (GraphException e) {
            throw new GraphException("model '" + spec + "': " + e.getMessage(), e);
        } catch (ArithmeticException e) {
            throw new GraphException("model '" + spec + "': sizes overflow 64-bit byte counts", e);
        }
    }

    /** Levenshtein edit distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
