package org.modelpar.cli.report;

import java.util.Locale;

/**
 * Hand-computed Chrome traces: a GPipe step on p stages (one device each, {@code gpu<s>}) with m
 * micro-batches, forward {@code tf} and backward {@code tb} seconds per micro-batch, free communication,
 * and a memory counter per device that grows by {@code stashBytes} per stashed micro-batch.
 */
final class SyntheticTraces {
    private SyntheticTraces() {
    }

    static String gpipe(int p, int m, double tf, double tb, long baseBytes, long stashBytes) {
        StringBuilder b = new StringBuilder("{\"traceEvents\": [\n");
        for (int s = 0; s < p; s++) {
            b.append(String.format(Locale.ROOT, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":\"gpu%d\"}},%n", s, s));
            b.append(String.format(Locale.ROOT, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"compute\"}},%n", s));
            b.append(counter(s, 0, baseBytes));
        }
        for (int s = 0; s < p; s++) {
            for (int i = 0; i < m; i++) {
                double start = (s + i) * tf;
                b.append(span(s, "F s" + s + " mb" + i, start, tf));
                b.append(counter(s, start + tf, baseBytes + (i + 1) * stashBytes));
            }
            double backStart = (m + p - 1) * tf;
            for (int i = m - 1; i >= 0; i--) {
                double start = backStart + ((p - 1 - s) + (m - 1 - i)) * tb;
                b.append(span(s, "B s" + s + " mb" + i, start, tb));
                b.append(counter(s, start + tb, baseBytes + i * stashBytes));
            }
        }
        b.setLength(b.length() - 2);
        return b.append("\n]}\n").toString();
    }

    private static String span(int pid, String name, double start, double dur) {
        return String.format(Locale.ROOT, "{\"ph\":\"X\",\"name\":\"%s\",\"pid\":%d,\"tid\":0,\"ts\":%.3f,\"dur\":%.3f},%n",
                name, pid, start * 1e6, dur * 1e6);
    }

    private static String counter(int pid, double at, long bytes) {
        return String.format(Locale.ROOT, "{\"ph\":\"C\",\"name\":\"memory\",\"pid\":%d,\"ts\":%.3f,\"args\":{\"bytes\":%d}},%n",
                pid, at * 1e6, bytes);
    }
}
