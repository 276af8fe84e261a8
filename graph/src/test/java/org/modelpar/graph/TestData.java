package org.modelpar.graph;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/data} from the project root (surefire's {@code modelpar.root}) or the working directory. */
public final class TestData {
    private TestData() {
    }

    public static Path sharedData() {
        String root = System.getProperty("modelpar.root");
        if (root != null) {
            Path p = Path.of(root).resolve("../shared/data").normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("shared/data");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find shared/data above " + System.getProperty("user.dir"));
    }

    public static Path pipedream(String file) {
        return sharedData().resolve("pipedream").resolve(file);
    }
}
