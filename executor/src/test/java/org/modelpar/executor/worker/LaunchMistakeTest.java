package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.train.TrainOptions;

/**
 * A launcher that starts the wrong workers (Slurm or Kubernetes set each process's rank and world size): a worker told
 * another world size than the plan's devices, and two workers of one rank, stop the run (rank 0 coordinating, as a
 * launched job runs it) with a one-line error naming the rank and the mistake, instead of training or waiting; a
 * coordinator port another process holds is named.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LaunchMistakeTest {
    @Test
    void aWorkerOfAnotherWorldSizeIsNamed() throws IOException {
        assertThatThrownBy(() -> coordinateWith(4, List.of(1)))
                .isInstanceOf(ExecutionException.class)
                .hasMessageStartingWith("device cpu1 (rank 1 at not yet joined) failed at start-up:")
                .hasMessageContaining("world size is 4 but the plan has 2 devices (one worker process per device)")
                .hasMessageNotContaining("\n");
    }

    @Test
    void twoWorkersOfOneRankAreNamed() throws IOException {
        assertThatThrownBy(() -> coordinateWith(2, List.of(1, 1)))
                .isInstanceOf(ExecutionException.class)
                .hasMessageStartingWith("device rendezvous failed at join: rank 1 joined twice (127.0.0.1:")
                .hasMessageNotContaining("\n");
    }

    /** A second rank 0 (or a port an earlier run still holds): the coordinator cannot serve, and says where. */
    @Test
    void aTakenCoordinatorPortIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Launched.coordinate(port, options(), r -> { }))
                    .isInstanceOf(LaunchException.class)
                    .hasMessageStartingWith("cannot serve the coordinator on 127.0.0.1:" + port + ": ")
                    .hasMessageNotContaining("\n");
        }
    }

    /** Rank 0 coordinates a run of {@code worldSize} ranks here; worker processes of {@code ranks} join it. */
    private void coordinateWith(int worldSize, List<Integer> ranks) throws IOException {
        int port = Launched.freePort();
        List<Process> workers = new ArrayList<>();
        try {
            for (int rank : ranks) {
                workers.add(Launched.worker(port, rank, worldSize, ProcessBuilder.Redirect.DISCARD));
            }
            Launched.coordinate(port, options(), r -> { });
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
    }

    /** Enough steps that the run is still going when a mistaken worker joins (their JVMs start together). */
    private static TrainOptions options() {
        return new TrainOptions(100_000, ExecutorOptions.defaults(3, 1e-2).withTimeout(Duration.ofSeconds(60)), 9, Optional.empty(),
                Optional.empty());
    }
}
