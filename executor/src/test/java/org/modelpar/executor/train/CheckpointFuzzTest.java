package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Fuzzes the checkpoint reader ({@link Checkpoint#read}) past its checksum: each input is a body after the magic, and
 * the file gets a valid SHA-256, as a hand-made or hostile file would. It either reads into a checkpoint, which writes
 * and reads back the same, or fails with a one-line {@link CheckpointException} naming the file; never another
 * exception or an {@code OutOfMemoryError} (a tensor larger than the file). Seeds and crash reproducers:
 * {@code src/test/resources/org/modelpar/executor/train/CheckpointFuzzTestInputs/checkpointBody/}.
 */
class CheckpointFuzzTest {
    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"FLOAT", "DOUBLE", "HALF", "BFLOAT16", "UTF8", "fc0.weight", "sha256:"})
    void checkpointBody(byte[] body) throws IOException, NoSuchAlgorithmException {
        Path dir = Files.createTempDirectory("checkpoint-fuzz");
        try {
            byte[] file = Arrays.copyOf(Checkpoint.MAGIC, Checkpoint.MAGIC.length + body.length);
            System.arraycopy(body, 0, file, Checkpoint.MAGIC.length, body.length);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(file);
            byte[] all = Arrays.copyOf(file, file.length + digest.length);
            System.arraycopy(digest, 0, all, file.length, digest.length);
            Files.write(dir.resolve(Checkpoint.FILE), all);
            Checkpoint c;
            try {
                c = Checkpoint.read(dir);
            } catch (CheckpointException e) {
                assertThat(e.getMessage()).startsWith(dir.resolve(Checkpoint.FILE) + ": ").doesNotContain("\n").doesNotContain("\r");
                return;
            }
            c.write(dir);
            Checkpoint back = Checkpoint.read(dir);
            assertThat(back.model()).isEqualTo(c.model());
            assertThat(back.planHash()).isEqualTo(c.planHash());
            assertThat(back.stepsDone()).isEqualTo(c.stepsDone());
            assertThat(back.parameters().keySet()).isEqualTo(c.parameters().keySet());
            assertThat(back.optimizerState().keySet()).isEqualTo(c.optimizerState().keySet());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
