package org.modelpar.profiles;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the project root in tests (surefire sets {@code modelpar.root}; else walk up from the working dir). */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path projectRoot() {
        String root = System.getProperty("modelpar.root");
        if (root != null && Files.isDirectory(Path.of(root, "profiles", "catalog"))) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("profiles").resolve("catalog"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the project root from " + Path.of("").toAbsolutePath());
    }

    public static Path catalogDir() {
        return projectRoot().resolve("profiles").resolve("catalog");
    }
}
