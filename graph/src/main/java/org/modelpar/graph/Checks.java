package org.modelpar.graph;

/** Argument checks whose failures name the field and the value. */
final class Checks {
    private Checks() {
    }

    static double nonNegative(String field, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new GraphException(field + " must be finite and non-negative, got " + value);
        }
        return value;
    }

    static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new GraphException(field + " must be non-negative, got " + value);
        }
        return value;
    }

    static String id(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new GraphException(field + " must be a non-empty string, got " + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }
}
