package org.modelpar.simulator.plan;

import java.util.Arrays;

/** Pipeline schedule: GPipe (all forwards, then all backwards) or 1F1B (PipeDream-Flush). */
public enum Schedule {
    GPIPE("gpipe"),
    ONE_F_ONE_B("1f1b");

    private final String jsonName;

    Schedule(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static Schedule parse(String name) {
        return Arrays.stream(values()).filter(s -> s.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new PlanException("schedule must be one of gpipe, 1f1b, got '" + name + "'"));
    }
}
