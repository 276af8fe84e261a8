package org.modelpar.simulator.trace;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Reads a trace in the layout {@link ChromeTraceWriter} writes back into the {@link Timeline} it was written
 * from, resolved against the step program the trace ran: a process is the device its {@code process_name}
 * names, a complete ({@code X}) or async ({@code b}/{@code e}, paired by pid, category, id and name) event is
 * the instruction of that device's program with the event's name, a {@code memory} counter is a memory
 * sample ({@code args.bytes}), a "garbage collection" instant event a paused step ({@code args.step}; measured
 * timelines only). Times are microseconds in the file. Events with {@code args.step} make a
 * measured timeline; without, a simulated one (step 0). A trace that records its plan ({@code otherData.plan})
 * must be of the program's plan. The critical path is not part of the file.
 */
public final class ChromeTraceReader {
    private ChromeTraceReader() {
    }

    /** Reads a trace file; a missing, malformed or foreign file is a {@link PlanException} naming it. */
    public static Timeline read(Path file, StepProgram program) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new PlanException("cannot read trace " + file + ": not UTF-8 text (a Chrome trace is JSON)");
        } catch (IOException e) {
            throw new PlanException("cannot read trace " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        return parse(text, file.toString(), program);
    }

    /** Parses trace JSON text with the one hardened JSON parser; {@code source} names it in errors. */
    public static Timeline parse(String json, String source, StepProgram program) {
        try {
            return parse(Json.parse(json, source).node(), source, program);
        } catch (ProfileException e) {
            throw new PlanException("cannot read trace " + e.getMessage());
        } catch (PlanException e) {
            String line = PlanJson.oneLine(e.getMessage()); // names and ids the trace gave may hold line breaks
            throw line.equals(e.getMessage()) ? e : new PlanException(line, e);
        }
    }

    private static Timeline parse(JsonNode root, String source, StepProgram program) {
        JsonNode events = root == null ? null : root.isArray() ? root : root.path("traceEvents");
        if (events == null || !events.isArray()) {
            throw new PlanException("trace " + source + " has no traceEvents array");
        }
        JsonNode recorded = root.path("otherData").path(TraceEventWriter.PLAN_FIELD);
        if (recorded.isTextual() && !recorded.asText().equals(PlanJson.contentHash(program.plan()))) {
            throw new PlanException("trace " + source + " is of plan " + recorded.asText() + ", not of this plan ("
                    + PlanJson.contentHash(program.plan()) + "): give the plan file the trace was written with");
        }
        Map<String, Map<String, Integer>> positions = new HashMap<>();
        for (DeviceProgram p : program.programs()) {
            Map<String, Integer> byName = new HashMap<>();
            for (int i = p.instructions().size() - 1; i >= 0; i--) {
                byName.put(p.instructions().get(i).name(), i);
            }
            positions.put(p.device(), byName);
        }
        Map<String, String> deviceOfPid = new HashMap<>();
        for (JsonNode e : events) {
            if ("M".equals(e.path("ph").asText()) && "process_name".equals(e.path("name").asText())) {
                deviceOfPid.put(e.path("pid").asText(), e.path("args").path("name").asText());
            }
        }
        Events read = new Events(source, program, positions, deviceOfPid);
        int index = 0;
        for (JsonNode e : events) {
            read.event(e, index++);
        }
        if (read.spans.isEmpty()) {
            throw new PlanException("trace " + source + " has no instruction spans; it needs the events of a step of this plan"
                    + " (as train --trace or simulate --trace write them)");
        }
        return new Timeline(read.numbered ? Timeline.Source.MEASURED : Timeline.Source.SIMULATED,
                program.programs().stream().map(DeviceProgram::device).toList(), read.spans, read.memory, List.of(),
                read.numbered ? List.copyOf(read.paused) : List.of());
    }

    /** The events read so far. */
    private static final class Events {
        private final String source;
        private final Map<String, DeviceProgram> programs = new HashMap<>();
        private final Map<String, Map<String, Integer>> positions;
        private final Map<String, String> deviceOfPid;
        private final Map<String, JsonNode> open = new HashMap<>();
        private final List<Span> spans = new ArrayList<>();
        private final List<MemorySample> memory = new ArrayList<>();
        private final java.util.SortedSet<Integer> paused = new java.util.TreeSet<>();
        private boolean numbered;

        Events(String source, StepProgram program, Map<String, Map<String, Integer>> positions, Map<String, String> deviceOfPid) {
            this.source = source;
            program.programs().forEach(p -> programs.put(p.device(), p));
            this.positions = positions;
            this.deviceOfPid = deviceOfPid;
        }

        void event(JsonNode e, int index) {
            switch (e.path("ph").asText()) {
                case "X" -> span(e, micros(e, "ts", index), micros(e, "ts", index) + micros(e, "dur", index), index);
                case "b" -> open.put(asyncKey(e), e);
                case "e" -> {
                    JsonNode begin = open.remove(asyncKey(e));
                    if (begin == null) {
                        throw new PlanException("trace " + source + ": event " + index + " ends async span '"
                                + e.path("name").asText() + "' (id " + e.path("id").asText() + ") that never began");
                    }
                    span(begin, micros(begin, "ts", index), micros(e, "ts", index), index);
                }
                case "C" -> {
                    if ("memory".equals(e.path("name").asText())) {
                        if (!e.path("args").path("bytes").canConvertToLong()) {
                            throw new PlanException("trace " + source + ": event " + index + " (memory) needs integer args.bytes");
                        }
                        memory.add(new MemorySample(device(e, index), micros(e, "ts", index), e.path("args").path("bytes").asLong()));
                    }
                }
                case "i" -> {
                    if (TraceEventWriter.PAUSE.equals(e.path("name").asText())) {
                        JsonNode step = e.path("args").path("step");
                        if (!step.canConvertToInt() || !step.isIntegralNumber() || step.asInt() < 0) {
                            throw new PlanException("trace " + source + ": event " + index + " (" + TraceEventWriter.PAUSE
                                    + ") needs a non-negative integer args.step, got " + step);
                        }
                        paused.add(step.asInt());
                    }
                }
                default -> { }
            }
        }

        private void span(JsonNode e, double startSeconds, double endSeconds, int index) {
            String device = device(e, index);
            String name = e.path("name").asText();
            if (!(endSeconds >= startSeconds)) {
                throw new PlanException("trace " + source + ": event " + index + " '" + name + "' lasts "
                        + (endSeconds - startSeconds) * 1e6 + " us; a duration must be non-negative");
            }
            Integer position = positions.get(device).get(name);
            if (position == null) {
                throw new PlanException("trace " + source + ": event " + index + " '" + name
                        + "' is not an instruction of device " + device + " in the plan's step program");
            }
            JsonNode step = e.path("args").path("step");
            boolean hasStep = step.isIntegralNumber() && step.canConvertToInt();
            if (hasStep && step.asInt() < 0) {
                throw new PlanException("trace " + source + ": event " + index + " '" + name
                        + "' needs a non-negative integer args.step, got " + step);
            }
            numbered |= hasStep;
            spans.add(new Span(device, hasStep ? step.asInt() : 0, position, programs.get(device).instructions().get(position),
                    startSeconds, endSeconds));
        }

        private String device(JsonNode e, int index) {
            String device = deviceOfPid.get(e.path("pid").asText());
            if (device == null || !positions.containsKey(device)) {
                throw new PlanException("trace " + source + ": event " + index + " (" + e.path("name").asText() + ") is on pid "
                        + e.path("pid").asText() + (device == null ? ", which has no process_name" : ", device " + device
                        + ", which the plan does not use"));
            }
            return device;
        }

        private double micros(JsonNode e, String field, int index) {
            if (!e.path(field).isNumber() || !Double.isFinite(e.path(field).asDouble())) {
                throw new PlanException("trace " + source + ": event " + index + " (" + e.path("name").asText()
                        + ") needs a finite numeric " + field + ", got " + (e.path(field).isMissingNode() ? "none"
                        : e.path(field).isNumber() ? e.path(field).asText() : e.path(field).toString()));
            }
            return e.path(field).asDouble() / 1e6;
        }

        private static String asyncKey(JsonNode e) {
            return e.path("pid").asText() + "/" + e.path("cat").asText() + "/" + e.path("id").asText() + "/" + e.path("name").asText();
        }
    }
}
