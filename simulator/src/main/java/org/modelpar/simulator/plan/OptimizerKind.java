package org.modelpar.simulator.plan;

import java.util.Arrays;

/** The optimizer, which decides the optimizer-state bytes per parameter. */
public enum OptimizerKind {
    SGD("sgd"),
    ADAM("adam");

    private final String jsonName;

    OptimizerKind(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static OptimizerKind parse(String name) {
        return Arrays.stream(values()).filter(o -> o.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new PlanException("optimizer must be one of sgd, adam, got '" + name + "'"));
    }
}
