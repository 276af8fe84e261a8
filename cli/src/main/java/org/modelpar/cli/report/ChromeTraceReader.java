package org.modelpar.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.cli.CliInputException;

/**
 * Reads Chrome trace event JSON ({@code {"traceEvents": [...]}} or a bare array): complete events
 * ({@code ph: "X"}, {@code ts}/{@code dur} in microseconds) become spans on the track named by the
 * {@code thread_name} metadata of their pid/tid (or by the pid and tid); counter events ({@code ph: "C"})
 * become one sample whose value is the sum of their numeric arguments (Chrome stacks them), on the track
 * named by the process name and the counter name.
 */
public final class ChromeTraceReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChromeTraceReader() {
    }

    /** Reads a trace file; a missing, unreadable or malformed file is a {@link CliInputException} naming it. */
    public static Trace read(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new CliInputException("cannot read trace " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Parses trace JSON text; {@code source} names it in errors. */
    public static Trace parse(String json, String source) {
        try {
            return parse(JSON.readTree(json), source);
        } catch (IOException e) {
            throw new CliInputException("cannot read trace " + source + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Trace parse(JsonNode root, String source) {
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        if (!events.isArray()) {
            throw new CliInputException("trace " + source + " has no traceEvents array");
        }
        Map<String, String> threadNames = new HashMap<>();
        Map<String, String> processNames = new HashMap<>();
        for (JsonNode e : events) {
            if ("M".equals(e.path("ph").asText())) {
                String name = e.path("args").path("name").asText();
                if ("thread_name".equals(e.path("name").asText())) {
                    threadNames.put(e.path("pid").asText() + "/" + e.path("tid").asText(), name);
                } else if ("process_name".equals(e.path("name").asText())) {
                    processNames.put(e.path("pid").asText(), name);
                }
            }
        }
        List<Trace.Span> spans = new ArrayList<>();
        List<Trace.Counter> counters = new ArrayList<>();
        int index = 0;
        for (JsonNode e : events) {
            String ph = e.path("ph").asText();
            if (ph.equals("X")) {
                if (!e.path("ts").isNumber() || !e.path("dur").isNumber()) {
                    throw new CliInputException("trace " + source + ": event " + index + " (" + e.path("name").asText()
                            + ") needs numeric ts and dur");
                }
                String pid = e.path("pid").asText();
                String key = pid + "/" + e.path("tid").asText();
                String track = threadNames.getOrDefault(key, processNames.getOrDefault(pid, key));
                spans.add(new Trace.Span(track, e.path("name").asText(), e.path("ts").asDouble() / 1e6,
                        e.path("dur").asDouble() / 1e6));
            } else if (ph.equals("C")) {
                double total = 0;
                for (JsonNode v : e.path("args")) {
                    total += v.isNumber() ? v.asDouble() : 0;
                }
                String process = processNames.getOrDefault(e.path("pid").asText(), "");
                String name = e.path("name").asText();
                counters.add(new Trace.Counter(process.isEmpty() ? name : process + " " + name, e.path("ts").asDouble() / 1e6, total));
            }
            index++;
        }
        return new Trace(spans, counters);
    }
}
