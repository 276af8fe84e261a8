package org.modelpar.workflow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writing the files the workflow produces (plans, profiles, traces, reports, exports). */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * Writes {@code text} to {@code file}, creating its folder, through a temporary file moved into place, so
     * a reader (a later run reusing a profile) never sees half a file; a failure is a {@link WorkflowException} naming the file.
     */
    public static void write(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new WorkflowException(file + ": cannot write: " + e.getMessage());
        }
    }
}
