package org.modelpar.simulator.plan;

import org.modelpar.graph.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.io.Json;

/**
 * Reads and writes plan files ({@code modelpar-plan/1}, docs/simulator.md#plan-files). Output is
 * deterministic: fixed key order, two-space indentation, a trailing newline; the same plan file gives
 * byte-identical text. Read errors name the source, the JSON field and the value.
 */
public final class PlanJson {
    public static final String FORMAT = "modelpar-plan/1";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Largest plan file read (a plan lists op ids per stage; 64 MiB holds millions of them). */
    public static final long MAX_FILE_BYTES = 64L << 20;

    private PlanJson() {
    }

    public static String write(PlanFile file) {
        try {
            return MAPPER.writeValueAsString(toTree(file)).replace("\r\n", "\n") + "\n";
        } catch (JsonProcessingException e) {
            throw new PlanException("cannot write plan: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * {@code "sha256:<hex>"} of the plan's own file text (no prediction or explanation): what a checkpoint and
     * a measured trace record of the plan that made them.
     */
    public static String contentHash(PlacementPlan plan) {
        try {
            byte[] text = write(PlanFile.of(plan)).getBytes(StandardCharsets.UTF_8);
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    public static void write(PlanFile file, Path path) {
        try {
            AtomicFiles.writeString(path, write(file));
        } catch (IOException e) {
            throw new PlanException(path + ": cannot write plan: " + AtomicFiles.reason(e), e);
        }
    }

    public static PlanFile read(Path path) {
        String text;
        try {
            if (Files.isRegularFile(path) && Files.size(path) > MAX_FILE_BYTES) {
                throw new PlanException(path + ": plan file is " + Files.size(path) + " bytes, above the limit of "
                        + MAX_FILE_BYTES + " bytes");
            }
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PlanException(path + ": cannot read plan file: " + e.getMessage(), e);
        }
        return read(text, path.toString());
    }

    /** Parses plan JSON; {@code source} names the input in error messages. */
    public static PlanFile read(String json, String source) {
        try {
            return fromTree(Json.parse(json, source).requireObject());
        } catch (ProfileException e) {
            throw new PlanException(e.getMessage(), e);
        } catch (PlanException e) {
            throw new PlanException(oneLine(source + ": " + e.getMessage()), e);
        }
    }

    /** Keeps an error on one line: line breaks and control characters from keys or values are escaped. */
    public static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.chars().forEach(c -> b.append(c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028 || c == 0x2029
                ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.toString();
    }

    static ObjectNode toTree(PlanFile file) {
        PlacementPlan p = file.plan();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.putObject("graph").put("name", p.graphName()).put("hash", p.graphHash());
        root.putObject("cluster").put("name", p.clusterName()).put("hash", p.clusterHash());
        root.put("precision", p.precision().jsonName());
        root.put("optimizer", p.optimizer().jsonName());
        root.put("schedule", p.schedule().jsonName());
        if (p.virtualStages() > 1) {
            root.put("virtualStages", p.virtualStages());
        }
        root.put("globalBatchSize", p.globalBatchSize());
        root.put("microBatchSize", p.microBatchSize());
        root.put("microBatches", p.microBatches());
        root.put("tensorParallel", p.tensorParallel());
        if (p.options().sequenceParallel()) {
            root.put("sequenceParallel", true);
        }
        if (p.options().scatterGather()) {
            root.put("scatterGather", true);
        }
        if (p.options().overlapGradientReduce()) {
            root.put("overlapGradientReduce", true);
        }
        if (p.options().zeroStage() > 0) {
            root.put("zeroStage", p.options().zeroStage());
        }
        if (p.options().expertParallel() > 1) {
            root.put("expertParallel", p.options().expertParallel());
        }
        ArrayNode stages = root.putArray("stages");
        for (Stage s : p.stages()) {
            ObjectNode o = stages.addObject();
            o.put("index", s.index());
            s.devices().forEach(o.putArray("devices")::add);
            s.ops().forEach(o.putArray("ops")::add);
            if (s.recomputation() == Recompute.SELECTIVE) {
                o.put("recompute", s.recomputation().jsonName());
            } else {
                o.put("recompute", s.recompute());
            }
            if (!file.computeSeconds().isEmpty()) {
                o.put("computeSeconds", file.computeSeconds().get(s.index()));
            }
        }
        if (file.predicted().isPresent()) {
            Prediction pr = file.predicted().get();
            ObjectNode o = root.putObject("predicted");
            o.put("stepSeconds", pr.stepSeconds());
            o.put("samplesPerSecond", pr.samplesPerSecond());
            ObjectNode peaks = o.putObject("peakMemoryBytes");
            pr.peakMemoryBytes().forEach(peaks::put);
        } else {
            root.putNull("predicted");
        }
        ObjectNode ex = root.putObject("explanation");
        file.explanation().lines().forEach(ex.putArray("lines")::add);
        ArrayNode runners = ex.putArray("runnerUps");
        for (Explanation.RunnerUp r : file.explanation().runnerUps()) {
            ObjectNode o = runners.addObject().put("configuration", r.configuration());
            if (Double.isFinite(r.stepSeconds())) {
                o.put("stepSeconds", r.stepSeconds());
            } else {
                o.putNull("stepSeconds");
            }
            o.put("reason", r.reason());
        }
        return root;
    }

    /** A stage's recomputation: {@code true}/{@code false} (full or none, as plan files before selective) or a mode name. */
    private static Recompute recompute(Json field) {
        JsonNode v = field.required().node();
        if (v.isBoolean()) {
            return Recompute.of(v.booleanValue());
        }
        if (!v.isTextual()) {
            throw field.error("expected true, false or \"selective\", got " + Json.show(v));
        }
        return field.as(Recompute::parse);
    }

    /** An optional boolean plan option, false when absent. */
    private static boolean flag(Json root, String name) {
        return root.field(name).optional().map(Json::bool).orElse(false);
    }

    private static PlanFile fromTree(Json root) {
        String format = root.field("format").string();
        if (!FORMAT.equals(format)) {
            throw root.field("format").error("must be '" + FORMAT + "', got '" + format + "'");
        }
        Json graph = root.field("graph").required().requireObject();
        Json cluster = root.field("cluster").required().requireObject();
        List<Stage> stages = new ArrayList<>();
        List<Double> computeSeconds = new ArrayList<>();
        for (Json s : root.field("stages").array()) {
            stages.add(new Stage(s.field("index").integer(), s.field("devices").strings(), s.field("ops").strings(),
                    recompute(s.field("recompute"))));
            s.field("computeSeconds").optional().map(Json::finite).ifPresent(computeSeconds::add);
        }
        if (!computeSeconds.isEmpty() && computeSeconds.size() != stages.size()) {
            throw root.field("stages").error("computeSeconds is given for " + computeSeconds.size() + " of "
                    + stages.size() + " stages");
        }
        PlacementPlan plan = new PlacementPlan(graph.field("name").string(), graph.field("hash").string(),
                cluster.field("name").string(), cluster.field("hash").string(),
                root.field("precision").as(Precision::parse), root.field("optimizer").as(OptimizerKind::parse),
                root.field("globalBatchSize").integer(), root.field("microBatchSize").integer(),
                root.field("microBatches").integer(), root.field("schedule").as(Schedule::parse),
                root.field("tensorParallel").integer(), stages,
                new PlanOptions(flag(root, "sequenceParallel"), flag(root, "scatterGather"), flag(root, "overlapGradientReduce"),
                        root.field("zeroStage").optional().map(Json::integer).orElse(0),
                        root.field("expertParallel").optional().map(Json::integer).orElse(1)),
                root.field("virtualStages").optional().map(Json::integer).orElse(1));
        Optional<Prediction> predicted = root.field("predicted").optional().map(o -> {
            Map<String, Long> peaks = new LinkedHashMap<>();
            o.field("peakMemoryBytes").members().forEach(e -> peaks.put(e.getKey(), e.getValue().nonNegativeLong()));
            return new Prediction(o.field("stepSeconds").finite(), o.field("samplesPerSecond").finite(), peaks);
        });
        Explanation explanation = root.field("explanation").optional().map(PlanJson::explanation)
                .orElse(Explanation.none());
        return new PlanFile(plan, predicted, computeSeconds, explanation);
    }

    private static Explanation explanation(Json e) {
        List<Explanation.RunnerUp> runners = new ArrayList<>();
        for (Json r : e.field("runnerUps").optional().map(Json::array).orElse(List.of())) {
            runners.add(new Explanation.RunnerUp(r.field("configuration").string(),
                    r.field("stepSeconds").optional().map(Json::finite).orElse(Double.NaN), r.field("reason").string()));
        }
        return new Explanation(e.field("lines").optional().map(Json::strings).orElse(List.of()), runners);
    }
}
