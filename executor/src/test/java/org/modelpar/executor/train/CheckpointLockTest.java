package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondRunOnOneCheckpointFolderIsRefusedUntilTheFirstEnds() {
        Path ckpt = dir.resolve("ckpt");
        try (CheckpointLock first = CheckpointLock.acquire(ckpt)) {
            assertThatThrownBy(() -> CheckpointLock.acquire(ckpt)).isInstanceOf(CheckpointException.class)
                    .hasMessage(ckpt + ": checkpoint folder is in use by another train run (it holds " + ckpt.resolve(".lock") + ")");
        }
        CheckpointLock.acquire(ckpt).close();
    }
}
