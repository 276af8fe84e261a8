package org.modelpar.graph.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.modelpar.graph.GraphException;
import org.modelpar.profiles.io.StrictJson;

/**
 * Typed access to a parsed JSON tree whose errors read {@code file: field.path: problem, got value}.
 * Parse errors read {@code file: line L column C: reason}.
 */
final class JsonFields {
    private static final int MAX_SHOWN = 60;

    private final String label;

    JsonFields(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Parses text into a tree; a syntax error names line and column. */
    JsonNode parse(String text) {
        try {
            JsonNode root = StrictJson.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new GraphException(label + ": empty file, expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage() == null ? "malformed JSON" : e.getOriginalMessage().lines().findFirst().orElse("")
                    .replaceAll(" \\(start marker at .*", "").replaceAll(" \\(JSON String, .*", "");
            if (reason.length() > 120) {
                reason = reason.substring(0, 120) + "...";
            }
            if (e.getLocation() == null) {
                throw new GraphException(label + ": " + reason, e);
            }
            throw new GraphException(label + ": line " + e.getLocation().getLineNr() + " column "
                    + e.getLocation().getColumnNr() + ": " + reason, e);
        }
    }

    GraphException error(String path, String problem) {
        return new GraphException(label + ": " + path + ": " + problem);
    }

    static String shown(JsonNode value) {
        String s = value.toString();
        return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "..." : s;
    }

    JsonNode object(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "expected an object, got " + shown(node));
        }
        return node;
    }

    /** Rejects fields outside {@code known} (catches typos such as {@code forwardFlop}). */
    void onlyFields(JsonNode object, String path, Set<String> known) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw error(path.isEmpty() ? f : path + "." + f, "unknown field (expected one of " + new TreeSet<>(known) + ")");
            }
        }
    }

    Optional<JsonNode> optional(JsonNode object, String field) {
        JsonNode v = object.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    JsonNode required(JsonNode object, String path, String field) {
        return optional(object, field).orElseThrow(() -> error(join(path, field), "missing"));
    }

    String text(JsonNode object, String path, String field) {
        JsonNode v = required(object, path, field);
        return text(v, join(path, field));
    }

    String text(JsonNode v, String path) {
        if (!v.isTextual()) {
            throw error(path, "expected a string, got " + shown(v));
        }
        return v.asText();
    }

    /** A non-negative integer below 2^63. */
    long nonNegativeLong(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw error(path, "expected an integer, got " + shown(v));
        }
        BigInteger value;
        if (v.isIntegralNumber()) {
            value = v.bigIntegerValue();
        } else {
            double d = v.doubleValue();
            if (!Double.isFinite(d) || d != Math.rint(d)) {
                throw error(path, "expected an integer, got " + shown(v));
            }
            value = v.decimalValue().toBigInteger();
        }
        if (value.signum() < 0) {
            throw error(path, "must be non-negative, got " + value);
        }
        if (value.bitLength() > 62) {
            throw error(path, value + " is too large (limit 2^62)");
        }
        return value.longValue();
    }

    int positiveInt(JsonNode v, String path) {
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() <= 0 || v.bigIntegerValue().bitLength() > 31) {
            throw error(path, "expected a positive integer below 2^31, got " + shown(v));
        }
        return v.intValue();
    }

    /** A finite, non-negative number. */
    double nonNegativeDouble(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw error(path, "expected a number, got " + shown(v));
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < 0) {
            throw error(path, "must be finite and non-negative, got " + (Double.isNaN(d) ? "NaN" : shown(v)));
        }
        return d;
    }

    static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
