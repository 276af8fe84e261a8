package org.modelpar.graph.zoo;

import org.modelpar.graph.GraphException;

/** Checks of model shape fields whose failures name the field and the value. */
final class ShapeChecks {
    private ShapeChecks() {
    }

    static int positive(String field, int value) {
        if (value < 1) {
            throw new GraphException(field + " must be a positive integer, got " + value);
        }
        return value;
    }

    static int nonNegative(String field, int value) {
        if (value < 0) {
            throw new GraphException(field + " must be a non-negative integer, got " + value);
        }
        return value;
    }
}
