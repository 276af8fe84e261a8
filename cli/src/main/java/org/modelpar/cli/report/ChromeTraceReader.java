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
 * ({@code ph: "X"}, {@code ts}/{@code dur} in microseconds) and async begin/end pairs ({@code ph: "b"/"e"},
 * matched by pid, category, id and name) become spans on the track named by the {@code process_name} and
 * {@code thread_name} metadata of their pid/tid (e.g. {@code gpu0 compute}); counter events ({@code ph: "C"})
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

    /** Track name: process and thread name joined ({@code gpu0 compute}), whichever exist, else pid/tid. */
    private static String track(String process, String thread, String pid, String tid) {
        if (process != null && thread != null) {
            return process + " " + thread;
        }
        return process != null ? process : thread != null ? thread : pid + "/" + tid;
    }

    private static String asyncKey(JsonNode e) {
        return e.path("pid").asText() + "/" + e.path("cat").asText() + "/" + e.path("id").asText() + "/" + e.path("name").asText();
    }

    private static double micros(JsonNode e, String field, String source, int index) {
        if (!e.path(field).isNumber()) {
            throw new CliInputException("trace " + source + ": event " + index + " (" + e.path("name").asText()
                    + ") needs a numeric " + field);
        }
        return e.path(field).asDouble() / 1e6;
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
        Map<String, JsonNode> open = new HashMap<>();
        int index = 0;
        for (JsonNode e : events) {
            String ph = e.path("ph").asText();
            String pid = e.path("pid").asText();
            String track = track(processNames.get(pid), threadNames.get(pid + "/" + e.path("tid").asText()), pid, e.path("tid").asText());
            switch (ph) {
                case "X" -> spans.add(new Trace.Span(track, e.path("name").asText(), micros(e, "ts", source, index),
                        micros(e, "dur", source, index), e.path("args").path("step").asInt(-1)));
                case "b" -> open.put(asyncKey(e), e);
                case "e" -> {
                    JsonNode begin = open.remove(asyncKey(e));
                    if (begin == null) {
                        throw new CliInputException("trace " + source + ": event " + index + " ends async span '"
                                + e.path("name").asText() + "' (id " + e.path("id").asText() + ") that never began");
                    }
                    double start = micros(begin, "ts", source, index);
                    spans.add(new Trace.Span(track, begin.path("name").asText(), start, micros(e, "ts", source, index) - start,
                            begin.path("args").path("step").asInt(-1)));
                }
                case "C" -> {
                    double total = 0;
                    for (JsonNode v : e.path("args")) {
                        total += v.isNumber() ? v.asDouble() : 0;
                    }
                    String process = processNames.get(pid);
                    String name = e.path("name").asText();
                    counters.add(new Trace.Counter(process == null ? name : process + " " + name, micros(e, "ts", source, index), total));
                }
                default -> { }
            }
            index++;
        }
        return new Trace(spans, counters);
    }
}
