package org.modelpar.cli.report;

import java.util.Locale;

/** What a trace span does, read from the step program's instruction names. */
public enum SpanKind {
    FORWARD("forward"),
    BACKWARD("backward"),
    RECOMPUTE("backward with recompute"),
    COMMUNICATION("communication"),
    OPTIMIZER("optimizer"),
    OTHER("other");

    private final String label;

    SpanKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether the span occupies the compute stream. */
    public boolean compute() {
        return this == FORWARD || this == BACKWARD || this == RECOMPUTE || this == OPTIMIZER;
    }

    static SpanKind of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("f ")) {
            return FORWARD;
        }
        if (n.startsWith("b ")) {
            return n.endsWith(" rc") ? RECOMPUTE : BACKWARD;
        }
        if (n.startsWith("send") || n.startsWith("recv") || n.startsWith("allreduce") || n.startsWith("all-reduce")) {
            return COMMUNICATION;
        }
        if (n.startsWith("optimizer")) {
            return OPTIMIZER;
        }
        return OTHER;
    }
}
