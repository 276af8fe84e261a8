package org.modelpar.graph;

import java.math.BigDecimal;

/** Published model sizes, which model cards round or truncate to a few digits. */
public final class Published {
    private Published() {
    }

    /**
     * Whether {@code count} rounds or truncates to {@code shown}, a figure such as {@code 6.74B} or {@code 124M}
     * (cards do both: Llama 3.2 1B's 1.2358 B is published as 1.23B).
     */
    public static boolean matches(double count, String shown) {
        BigDecimal figure = new BigDecimal(shown.substring(0, shown.length() - 1));
        double unit = shown.endsWith("B") ? 1e9 : 1e6;
        double step = Math.pow(10, -figure.scale()) * unit;
        double value = figure.doubleValue() * unit;
        return count >= value - step / 2 && count < value + step;
    }
}
