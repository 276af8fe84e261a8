package org.modelpar.cli;

import java.util.Locale;

/** Formats counts, bytes, FLOPs and seconds for tables (decimal prefixes). */
final class HumanUnits {
    private static final String[] COUNT = {"", " K", " M", " B", " T"};
    private static final String[] SI = {"", "K", "M", "G", "T", "P", "E"};

    private HumanUnits() {
    }

    /** 174.6 B, 25.6 M, 512. */
    static String count(double n) {
        int i = 0;
        while (Math.abs(n) >= 1000 && i < COUNT.length - 1) {
            n /= 1000;
            i++;
        }
        return i == 0 ? String.format(Locale.ROOT, "%.0f", n) : String.format(Locale.ROOT, "%.1f%s", n, COUNT[i]);
    }

    /** Value with an SI prefix: {@code si(1.5e12, "FLOP")} is 1.50 TFLOP. */
    static String si(double v, String unit) {
        int i = 0;
        while (Math.abs(v) >= 1000 && i < SI.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, i == 0 ? "%.0f %s%s" : "%.2f %s%s", v, SI[i], unit);
    }

    static String bytes(double b) {
        return si(b, "B");
    }

    static String seconds(double s) {
        return s >= 1 ? String.format(Locale.ROOT, "%.3f s", s) : String.format(Locale.ROOT, "%.3f ms", s * 1000);
    }

    static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
