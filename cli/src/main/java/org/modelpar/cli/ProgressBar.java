package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for a long phase ({@code plan  [#######.......]  42/120  best ...}),
 * redrawn in place with a carriage return. Disabled (prints nothing) when output is JSON or stderr is
 * not a terminal.
 */
final class ProgressBar {
    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final boolean enabled;
    private final String phase;
    private int lastFilled = -1;
    private int lastDone = -1;

    ProgressBar(PrintWriter err, boolean enabled, String phase) {
        this.err = err;
        this.enabled = enabled;
        this.phase = phase;
    }

    /** Whether bars should be drawn: not for JSON output, and only on a terminal. */
    static boolean wanted(boolean json) {
        return !json && System.console() != null;
    }

    /** Redraws the bar when it changed. */
    void update(int done, int total, String detail) {
        if (!enabled || total <= 0) {
            return;
        }
        int filled = (int) Math.min(WIDTH, (long) done * WIDTH / total);
        if (filled == lastFilled && done == lastDone) {
            return;
        }
        lastFilled = filled;
        lastDone = done;
        err.print(String.format(Locale.ROOT, "\r%-8s %s %d/%d %s", phase, render(done, total), done, total,
                detail.length() > 60 ? detail.substring(0, 60) : detail));
        err.flush();
    }

    /** Ends the bar's line. */
    void done() {
        if (enabled && lastDone >= 0) {
            err.println();
            err.flush();
        }
    }

    /** The bar itself, e.g. {@code [######..................]}. */
    static String render(int done, int total) {
        int filled = (int) Math.min(WIDTH, (long) done * WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }
}
