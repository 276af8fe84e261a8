package org.modelpar.workflow;

import java.io.IOException;
import java.nio.file.Path;
import org.modelpar.graph.io.AtomicFiles;

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
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw new WorkflowException(file + ": cannot write: " + AtomicFiles.reason(e));
        }
    }
}
