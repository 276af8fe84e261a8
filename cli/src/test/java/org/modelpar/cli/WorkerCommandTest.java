package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code modelpar worker} as a launcher runs it: rank 0 with the plan coordinates, the other ranks join it. A worker
 * launched with another world size than the plan's devices is bad input (exit 2, one line naming the mismatch), and
 * rank 0 stops the run naming that rank, in one line, instead of waiting for it; so is a probe port another process
 * holds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkerCommandTest {
    private static final String MODEL = "gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11";

    @TempDir
    Path dir;

    @Test
    void aWorkerOfAnotherWorldSizeIsBadInputAndRankZeroNamesIt() throws IOException {
        Path plan = TrainCommandTest.writePlan(dir, MODEL);
        String coordinator = "127.0.0.1:" + freePort();
        CompletableFuture<CliRun> rank0 = CompletableFuture.supplyAsync(() -> CliRun.of("worker", "--rank", "0", "--world-size", "2",
                "--coordinator", coordinator, "--plan", plan.toString(), "--steps", "100000"));
        CliRun rank1 = CliRun.of("worker", "--rank", "1", "--world-size", "4", "--coordinator", coordinator);

        assertThat(rank1.exitCode()).as(rank1.err()).isEqualTo(2);
        assertThat(rank1.err().strip())
                .isEqualTo("modelpar: world size is 4 but the plan has 2 devices (one worker process per device)");
        CliRun coordinating = rank0.join();
        assertThat(coordinating.exitCode()).as(coordinating.err()).isEqualTo(1);
        assertThat(coordinating.err().strip())
                .startsWith("modelpar: device cpu1 (rank 1 at not yet joined) failed at start-up: world size is 4")
                .doesNotContain("\n");
    }

    @Test
    void aProbePortAnotherProcessHoldsIsBadInput() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            CliRun r = CliRun.of("worker", "--probe-port", Integer.toString(taken.getLocalPort()), "--advertise", "127.0.0.1");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip()).startsWith("modelpar: cannot serve link probes on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .doesNotContain("\n");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }
}
