package org.modelpar.graph.io;

import java.nio.file.Path;
import org.modelpar.graph.ComputationGraph;

/** Reads a graph file in any supported format: the facade of this package. */
public final class GraphReader {
    private GraphReader() {
    }

    /**
     * Reads {@code file} as {@code format}. Throws {@link org.modelpar.graph.GraphException} with one line
     * naming the file, the line or field path and the value when the file is unreadable, malformed, too
     * large or describes an invalid graph.
     */
    public static ComputationGraph read(Path file, GraphFormat format, ImportOptions options) {
        String label = SourceFile.label(file);
        return switch (format) {
            case JSON -> new GraphJsonReader(label, options).read(SourceFile.read(file, options));
            case PIPEDREAM -> new PipeDreamReader(label, options).read(SourceFile.read(file, options));
            case HF_CONFIG -> new HfConfigReader(label, options).read(SourceFile.read(file, options), hfName(file));
            case ONNX -> new OnnxReader(label, options, file.toAbsolutePath().getParent())
                    .read(SourceFile.readBytes(file, options), label.replaceFirst("\\.onnx$", ""));
        };
    }

    /** Reads with default options. */
    public static ComputationGraph read(Path file, GraphFormat format) {
        return read(file, format, ImportOptions.defaults());
    }

    /** A Hugging Face config is named after its folder ({@code gpt2/config.json} -> {@code gpt2}). */
    private static String hfName(Path file) {
        Path abs = file.toAbsolutePath().getParent();
        Path dir = abs == null ? null : abs.getFileName();
        String name = String.valueOf(file.getFileName());
        return dir != null && name.equals("config.json") ? dir.toString() : name.replaceFirst("\\.json$", "");
    }
}
