package org.modelpar.graph.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way modelpar writes a file: into a fresh temporary file in the same folder (unique per writer, so
 * two processes never share it), flushed to disk, then renamed over the target and the folder flushed. A
 * reader, or a process killed mid-write, sees the old file or the new one, never a truncated one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What a file's content is written by. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code text} as UTF-8 to {@code file}, creating its folder. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes {@code content} to {@code file}, creating its folder; the temporary file is removed on failure. */
    public static void write(Path file, Content content) throws IOException {
        if (Files.isDirectory(file)) { // the root folder included, which has no parent
            throw new FileSystemException(file.toString(), null, "it is a folder, not a file");
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            // the temporary file's random name says nothing to the user: name the folder
            throw new FileSystemException(dir.toString(), null, "cannot create a file in this folder (" + words(e) + ")");
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                content.writeTo(out);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot open a folder to flush it; the rename is still atomic
        }
    }

    /**
     * Why an I/O operation failed, in words ({@code permission denied}, {@code no such file or folder: /x}),
     * for one-line errors; Java's own messages often name only the path.
     */
    public static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getFile() != null ? words(e) + ": " + f.getFile() : words(e);
    }

    /** Why an I/O operation failed, without the file. */
    private static String words(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way of a folder";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : "failed";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
