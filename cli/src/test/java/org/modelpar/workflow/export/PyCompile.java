package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** {@code python3 -m py_compile} of an exported script, for export tests (skipped where python3 is missing). */
final class PyCompile {
    private PyCompile() {
    }

    static void assertCompiles(Path dir, String name, String script) throws Exception {
        Path file = Files.writeString(dir.resolve(name), script);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3");
        Process p = new ProcessBuilder("/usr/bin/python3", "-m", "py_compile", file.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
    }
}
