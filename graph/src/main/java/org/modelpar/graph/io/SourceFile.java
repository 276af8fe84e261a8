package org.modelpar.graph.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.modelpar.graph.GraphException;

/** Reads a whole input file within the size limit; errors name the file. */
final class SourceFile {
    /** The file name of a Hugging Face model's configuration. */
    private static final String HF_CONFIG = "config.json";

    private SourceFile() {
    }

    /**
     * The name errors use for a file: its file name, with its directory's name when the file name alone says
     * nothing of which model it is ({@code llama-2-7b/config.json}: every Hugging Face model has a config.json).
     */
    static String label(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return file.toString();
        }
        Path dir = file.toAbsolutePath().normalize().getParent();
        return name.toString().equals(HF_CONFIG) && dir != null && dir.getFileName() != null
                ? dir.getFileName() + "/" + name : name.toString();
    }

    /** The file as UTF-8 text; bytes that are not UTF-8 (a binary file) are an error, never replaced. */
    static String read(Path file, ImportOptions options) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(readBytes(file, options))).toString();
        } catch (CharacterCodingException e) {
            throw new GraphException(label(file) + ": not UTF-8 text (a binary file?)", e);
        }
    }

    static byte[] readBytes(Path file, ImportOptions options) {
        String label = label(file);
        try {
            if (Files.isDirectory(file)) {
                throw new GraphException(file + ": is a folder, not a file");
            }
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                throw new GraphException(file + ": is not a regular file (a pipe or a device); give a file");
            }
            if (!Files.exists(file)) {
                throw new GraphException(file + ": no such file");
            }
            long size = Files.size(file);
            if (size > options.maxFileBytes()) {
                throw new GraphException(label + ": file is " + size + " bytes, more than the limit of "
                        + options.maxFileBytes() + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GraphException(file + ": no such file", e);
        } catch (IOException e) {
            throw new GraphException(label + ": cannot read: " + AtomicFiles.reason(e), e);
        }
    }
}
