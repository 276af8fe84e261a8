package org.modelpar.graph.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;

/**
 * The native {@code modelpar-graph/1} JSON (docs/graph.md#native-json-format): reading, canonical writing (fixed field
 * order, ops and tensors in graph order, measured times and attributes sorted by key, {@code \n} line
 * ends) and the content hash of the canonical form. Writing then reading gives back an equal graph.
 */
public final class GraphJson {
    /** The value of the {@code format} field. */
    public static final String FORMAT = "modelpar-graph/1";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectWriter WRITER;

    static {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        WRITER = new ObjectMapper().writer(new DefaultPrettyPrinter()
                .withObjectIndenter(indenter).withArrayIndenter(indenter));
    }

    private GraphJson() {
    }

    /** Reads a native graph file with default limits. */
    public static ComputationGraph read(Path file) {
        return read(file, ImportOptions.defaults());
    }

    /** Reads a native graph file; errors name the file and the JSON field path. */
    public static ComputationGraph read(Path file, ImportOptions options) {
        return new GraphJsonReader(SourceFile.label(file), options).read(SourceFile.read(file, options));
    }

    /** Parses native graph JSON text; {@code label} names the source in error messages. */
    public static ComputationGraph parse(String text, String label) {
        return new GraphJsonReader(label, ImportOptions.defaults()).read(text);
    }

    /** The canonical JSON text of a graph. */
    public static String toJson(ComputationGraph graph) {
        ObjectNode root = NODES.objectNode();
        root.put("format", FORMAT);
        root.put("name", graph.name());
        root.put("measuredBatchSize", graph.measuredBatchSize());
        if (!graph.dropout()) {
            root.put("dropout", false); // written only when off: graphs with dropout keep their text and hash
        }
        ArrayNode ops = root.putArray("ops");
        for (OpNode op : graph.ops()) {
            ops.add(op(op));
        }
        ArrayNode tensors = root.putArray("tensors");
        for (TensorEdge t : graph.tensors()) {
            ObjectNode n = tensors.addObject();
            n.put("id", t.id());
            n.put("from", t.from());
            n.put("to", t.to());
            n.put("bytes", t.bytes());
        }
        try {
            return WRITER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize graph " + graph.name(), e);
        }
    }

    private static ObjectNode op(OpNode op) {
        ObjectNode n = NODES.objectNode();
        n.put("id", op.id());
        if (!op.name().equals(op.id())) {
            n.put("name", op.name());
        }
        n.put("kind", op.kind());
        n.put("layer", op.layer());
        n.put("forwardFlops", op.forwardFlops());
        n.put("backwardFlops", op.backwardFlops());
        n.put("parameterBytes", op.parameterBytes());
        n.put("activationBytes", op.activationBytes());
        n.put("workspaceBytes", op.workspaceBytes());
        if (!op.measured().isEmpty()) {
            ObjectNode m = n.putObject("measured");
            op.measured().forEach((type, t) -> {
                ObjectNode tn = m.putObject(type);
                tn.put("forwardSeconds", t.forwardSeconds());
                tn.put("backwardSeconds", t.backwardSeconds());
                if (t.hasFixedParts()) {
                    tn.put("forwardFixedSeconds", t.forwardFixedSeconds());
                    tn.put("backwardFixedSeconds", t.backwardFixedSeconds());
                }
            });
        }
        if (!op.attributes().isEmpty()) {
            ObjectNode a = n.putObject("attributes");
            op.attributes().forEach(a::put);
        }
        return n;
    }

    /** Writes the canonical JSON of a graph to a file. */
    public static void write(ComputationGraph graph, Path file) {
        try {
            AtomicFiles.writeString(file, toJson(graph));
        } catch (IOException e) {
            throw new GraphException(file + ": cannot write: " + AtomicFiles.reason(e), e);
        }
    }

    /** {@code "sha256:<hex>"} of the canonical JSON (UTF-8); equal graphs have equal hashes. */
    public static String contentHash(ComputationGraph graph) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(toJson(graph).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
