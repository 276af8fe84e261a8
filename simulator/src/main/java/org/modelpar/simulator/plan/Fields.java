package org.modelpar.simulator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Typed access to a JSON object whose errors name the field's path and the value found. */
final class Fields {
    private final JsonNode node;
    private final String path;

    Fields(JsonNode node, String path) {
        this.node = node;
        this.path = path;
        if (node == null || !node.isObject()) {
            throw new PlanException((path.isEmpty() ? "document" : path) + " must be a JSON object, got " + shown(node));
        }
    }

    private String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private JsonNode required(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new PlanException("field " + at(field) + " is missing");
        }
        return v;
    }

    String text(String field) {
        JsonNode v = required(field);
        if (!v.isTextual()) {
            throw new PlanException("field " + at(field) + " must be a string, got " + shown(v));
        }
        return v.textValue();
    }

    int integer(String field) {
        JsonNode v = required(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new PlanException("field " + at(field) + " must be an integer, got " + shown(v));
        }
        return v.intValue();
    }

    long longValue(String field) {
        JsonNode v = required(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new PlanException("field " + at(field) + " must be an integer, got " + shown(v));
        }
        return v.longValue();
    }

    double number(String field) {
        JsonNode v = required(field);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new PlanException("field " + at(field) + " must be a finite number, got " + shown(v));
        }
        return v.doubleValue();
    }

    Optional<Double> optionalNumber(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(number(field));
    }

    boolean bool(String field) {
        JsonNode v = required(field);
        if (!v.isBoolean()) {
            throw new PlanException("field " + at(field) + " must be true or false, got " + shown(v));
        }
        return v.booleanValue();
    }

    Optional<Boolean> optionalBool(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(bool(field));
    }

    /** A field that holds a boolean or a string, each parsed its own way; {@code expected} names the choices. */
    <T> T boolOrText(String field, Function<Boolean, T> ofBool, Function<String, T> ofText, String expected) {
        JsonNode v = required(field);
        if (v.isBoolean()) {
            return ofBool.apply(v.booleanValue());
        }
        if (!v.isTextual()) {
            throw new PlanException("field " + at(field) + " must be " + expected + ", got " + shown(v));
        }
        return parse(field, ofText);
    }

    <T> T parse(String field, Function<String, T> parser) {
        String v = text(field);
        try {
            return parser.apply(v);
        } catch (PlanException e) {
            throw new PlanException("field " + at(field) + ": " + e.getMessage(), e);
        }
    }

    Fields object(String field) {
        return new Fields(required(field), at(field));
    }

    Optional<Fields> optionalObject(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(object(field));
    }

    List<Fields> array(String field) {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw new PlanException("field " + at(field) + " must be an array, got " + shown(v));
        }
        List<Fields> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new Fields(v.get(i), at(field) + "[" + i + "]"));
        }
        return out;
    }

    List<Fields> optionalArray(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? List.of() : array(field);
    }

    List<String> strings(String field) {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw new PlanException("field " + at(field) + " must be an array of strings, got " + shown(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new PlanException("field " + at(field) + "[" + i + "] must be a string, got " + shown(v.get(i)));
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    List<String> optionalStrings(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? List.of() : strings(field);
    }

    List<String> names() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String shown(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
