package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriterThatDiesMidWayLeavesTheOldFileAndNoTemporaryOne() throws IOException {
        Path file = dir.resolve("trace.json");
        AtomicFiles.writeString(file, "{\"old\":true}\n");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write("{\"traceEvents\":[".getBytes());
            throw new IOException("killed");
        })).hasMessage("killed");
        assertThat(Files.readString(file)).isEqualTo("{\"old\":true}\n");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aFailedWriteSaysWhy() throws IOException {
        Path blocker = dir.resolve("plans");
        Files.writeString(blocker, "x");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> AtomicFiles.writeString(blocker.resolve("plan.json"), "{}"));
        assertThat(AtomicFiles.reason(e)).isEqualTo("a file is in the way of a folder: " + blocker);
    }

    @Test
    void aFolderInTheWayOfTheFileIsNamed() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("plan.json"));
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> AtomicFiles.writeString(folder, "{}"));
        assertThat(AtomicFiles.reason(e)).isEqualTo("it is a folder, not a file: " + folder);
        IOException root = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> AtomicFiles.writeString(Path.of("/"), "{}"));
        assertThat(AtomicFiles.reason(root)).isEqualTo("it is a folder, not a file: /");
    }
}
