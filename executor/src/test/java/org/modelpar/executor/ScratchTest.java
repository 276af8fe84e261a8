package org.modelpar.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

class ScratchTest {
    @Test
    void destroyFreesTheThreadsScratchAndKernelWorkspaces() throws InterruptedException {
        AtomicReference<boolean[]> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (MemoryWorkspace scratch = Scratch.open(); MemoryWorkspace kernel = Scratch.openKernel()) {
                Nd4j.ones(64).addi(1);
            }
            var manager = Nd4j.getWorkspaceManager();
            boolean before = manager.checkIfWorkspaceExists("modelpar-scratch") && manager.checkIfWorkspaceExists("modelpar-kernel");
            Scratch.destroy();
            Scratch.destroy();
            seen.set(new boolean[] {before, manager.checkIfWorkspaceExists("modelpar-scratch"),
                manager.checkIfWorkspaceExists("modelpar-kernel")});
        });
        t.start();
        t.join();
        assertThat(seen.get()).containsExactly(true, false, false);
    }
}
