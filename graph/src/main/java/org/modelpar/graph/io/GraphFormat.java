package org.modelpar.graph.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.modelpar.graph.GraphException;

/** The graph file formats modelpar reads, with their command-line names. */
public enum GraphFormat {
    /** Native {@code modelpar-graph/1} JSON. */
    JSON("json"),
    /** PipeDream profiler {@code graph.txt}. */
    PIPEDREAM("pipedream"),
    /** Hugging Face {@code config.json} (the architectures of {@code docs/graph.md}). */
    HF_CONFIG("hf-config"),
    /** ONNX {@code ModelProto} ({@code .onnx}). */
    ONNX("onnx");

    private final String cliName;

    GraphFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line ({@code json}, {@code pipedream}, {@code hf-config}, {@code onnx}). */
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name (case-insensitive); an unknown name lists the known ones. */
    public static GraphFormat parse(String name) {
        for (GraphFormat f : values()) {
            if (f.cliName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return f;
            }
        }
        throw new GraphException("unknown graph format '" + name + "' (expected one of "
                + Arrays.stream(values()).map(GraphFormat::cliName).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The format a file name suggests: {@code *.graph.txt} or {@code *.txt} is PipeDream, a file named
     * {@code config.json} is a Hugging Face config, {@code *.onnx} ONNX, anything else native JSON.
     */
    public static GraphFormat guess(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".txt")) {
            return PIPEDREAM;
        }
        if (name.equals("config.json")) {
            return HF_CONFIG;
        }
        if (name.endsWith(".onnx")) {
            return ONNX;
        }
        return JSON;
    }

    @Override
    public String toString() {
        return cliName;
    }
}
