package org.modelpar.graph.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.GraphException;

/** An input that is not a readable text file is named for what it is, not as a missing file or a decoder's words. */
class InputFileKindsTest {
    @TempDir
    Path dir;

    @Test
    void aFolderIsCalledAFolder() {
        assertThatThrownBy(() -> GraphJson.read(dir)).isInstanceOf(GraphException.class)
                .hasMessage(dir + ": is a folder, not a file");
    }

    @Test
    void aPipeIsCalledAPipe() throws Exception {
        Path fifo = dir.resolve("graph.fifo");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo is available");
        assertThatThrownBy(() -> GraphJson.read(fifo)).hasMessage(fifo + ": is not a regular file (a pipe or a device); give a file");
    }

    @Test
    void binaryJunkIsCalledNotText() throws IOException {
        Path junk = dir.resolve("model.bin");
        Files.write(junk, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80});
        assertThatThrownBy(() -> GraphJson.read(junk)).hasMessage("model.bin: not UTF-8 text (a binary file?)");
    }
}
