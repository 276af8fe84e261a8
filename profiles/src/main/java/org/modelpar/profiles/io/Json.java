package org.modelpar.profiles.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.modelpar.profiles.ProfileException;

/**
 * A JSON value with its place (source file and field path) so every error names both, e.g.
 * {@code dgx.json: nodes[0].devices[2].type: unknown device type "x"}: the typed field access every modelpar
 * format reads with (device, cluster, graph, Hugging Face config and plan files). Errors are
 * {@link ProfileException}s on one line; a reader in another module rethrows them as its own type with the
 * same message.
 */
public record Json(JsonNode node, String source, String path) {
    private static final int MAX_SHOWN = 60;

    /** The top of a parsed document. */
    public static Json root(JsonNode node, String source) {
        return new Json(node, source, "");
    }

    /** Parses {@code text} with {@link StrictJson}; {@code source} names it in every error. */
    public static Json parse(String text, String source) {
        return root(StrictJson.parse(text, source), source);
    }

    /** An error at this value: {@code source: path: message}. */
    public ProfileException error(String message) {
        return new ProfileException(oneLine(source + ": " + (path.isEmpty() ? "" : path + ": ") + message));
    }

    /** Escapes line breaks and other control characters (they may come from keys or values) to keep one line. */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The value as shown in error messages, shortened. */
    public static String show(JsonNode value) {
        String s = value == null || value.isMissingNode() ? "nothing"
                : value.isNumber() ? value.asText() : value.toString();
        return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "..." : s;
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public Json requireObject() {
        if (!node.isObject()) {
            throw error("expected a JSON object, got " + show(node));
        }
        return this;
    }

    /** Fails on keys outside {@code allowed}, naming the first unknown one and the allowed ones. */
    public Json allowOnly(Set<String> allowed) {
        requireObject();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw field(key).error("unknown field; allowed fields: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    public Json field(String key) {
        requireObject();
        JsonNode value = node.get(key);
        return new Json(value == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : value,
                source, childPath(key));
    }

    public Json element(int index) {
        return new Json(node.get(index), source, path + "[" + index + "]");
    }

    public boolean present() {
        return !node.isMissingNode() && !node.isNull();
    }

    public Json required() {
        if (!present()) {
            throw error("required field is missing");
        }
        return this;
    }

    public String string() {
        required();
        if (!node.isTextual()) {
            throw error("expected a string, got " + show(node));
        }
        return node.asText();
    }

    public String nonBlankString() {
        String s = string();
        if (s.isBlank()) {
            throw error("must be a non-empty string, got " + show(node));
        }
        return s;
    }

    public Optional<String> optionalString() {
        return present() ? Optional.of(string()) : Optional.empty();
    }

    public double finite() {
        required();
        if (!node.isNumber()) {
            throw error("expected a number, got " + show(node));
        }
        double v = node.doubleValue();
        if (!Double.isFinite(v)) {
            throw error("must be a finite number, got " + show(node));
        }
        return v;
    }

    public double positive() {
        double v = finite();
        if (v <= 0) {
            throw error("must be positive, got " + show(node));
        }
        return v;
    }

    public double nonNegative() {
        double v = finite();
        if (v < 0) {
            throw error("must be non-negative, got " + show(node));
        }
        return v;
    }

    /** A whole number that fits a signed 32-bit int. */
    public int integer() {
        required();
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw error("expected a whole number in " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ", got "
                    + show(node));
        }
        return node.intValue();
    }

    /** A non-negative whole number that fits a signed 32-bit int. */
    public int nonNegativeInt() {
        required();
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw error("must be a whole number in 0.." + Integer.MAX_VALUE + ", got " + show(node));
        }
        return node.intValue();
    }

    /**
     * A non-negative whole number below 2^62 (written as an integer or as a whole floating-point number such
     * as {@code 1.0e6}); the limit leaves sums of a few of them room in a long.
     */
    public long nonNegativeLong() {
        required();
        if (!node.isNumber() || node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw error("expected a whole number, got " + show(node));
        }
        BigDecimal v = node.decimalValue();
        if (v.signum() < 0) {
            throw error("must be non-negative, got " + show(node));
        }
        if (v.stripTrailingZeros().scale() > 0) {
            throw error("expected a whole number, got " + show(node));
        }
        if (v.toBigInteger().bitLength() > 62) {
            throw error("must be below 2^62, got " + show(node));
        }
        return v.longValueExact();
    }

    /** A positive whole number below 2^31. */
    public int positiveInt() {
        required();
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() <= 0) {
            throw error("expected a positive whole number below 2^31, got " + show(node));
        }
        return node.intValue();
    }

    /** {@code true} or {@code false}. */
    public boolean bool() {
        required();
        if (!node.isBoolean()) {
            throw error("expected true or false, got " + show(node));
        }
        return node.booleanValue();
    }

    /** This value when present (not missing, not null). */
    public Optional<Json> optional() {
        return present() ? Optional.of(this) : Optional.empty();
    }

    /** The string value read by {@code parser}; a parser's exception becomes an error naming this field. */
    public <T> T as(Function<String, T> parser) {
        String s = string();
        try {
            return parser.apply(s);
        } catch (RuntimeException e) {
            throw error(e.getMessage());
        }
    }

    /** A positive whole number that fits a signed 64-bit long (sizes near 2^63 are refused, not wrapped). */
    public long positiveLong() {
        required();
        if (!node.isNumber()) {
            throw error("expected a whole number, got " + show(node));
        }
        BigDecimal v;
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw error("must be a finite whole number, got " + show(node));
        }
        v = node.decimalValue();
        if (v.signum() <= 0) {
            throw error("must be positive, got " + show(node));
        }
        if (v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw error("must be at most " + Long.MAX_VALUE + ", got " + show(node));
        }
        try {
            return v.longValueExact();
        } catch (ArithmeticException e) {
            throw error("must be a whole number, got " + show(node));
        }
    }

    public List<Json> array() {
        required();
        if (!node.isArray()) {
            throw error("expected a JSON array, got " + show(node));
        }
        List<Json> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            items.add(element(i));
        }
        return items;
    }

    public List<Json> nonEmptyArray() {
        List<Json> items = array();
        if (items.isEmpty()) {
            throw error("must not be empty");
        }
        return items;
    }

    /** An array of strings. */
    public List<String> strings() {
        return array().stream().map(Json::string).toList();
    }

    /** The members of an object, in file order. */
    public List<Map.Entry<String, Json>> members() {
        required();
        requireObject();
        List<Map.Entry<String, Json>> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> out.add(Map.entry(k, field(k))));
        return out;
    }
}
