package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.transport.EventLoop;

/**
 * The other side of a launched job's faults: when rank 0 (the coordinator) is killed with SIGKILL, or its caller fails
 * between two steps, the other ranks' processes stop within 10 s with a one-line error, rather than waiting for a
 * coordinator to come back (as the rendezvous waits for one to come up); a coordinator that cannot hand out the job is
 * named.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CoordinatorLossTest {
    @TempDir
    Path dir;

    @Test
    void aKilledCoordinatorStopsTheOtherRanks() throws Exception {
        int port = Launched.freePort();
        Process coordinator = new ProcessBuilder(LocalWorkers.javaCommand(TestCoordinatorMain.class.getName(),
                List.of(Integer.toString(port), "100000"))).redirectErrorStream(true).start();
        Process rank1 = worker(port);
        try {
            BufferedReader steps = new BufferedReader(new InputStreamReader(coordinator.getInputStream(), StandardCharsets.UTF_8));
            for (String line = steps.readLine(); line != null && !line.equals("step 2"); line = steps.readLine()) {
                // training has begun once step 2 is printed
            }
            coordinator.destroyForcibly().waitFor();
            assertThat(rank1.waitFor(10, TimeUnit.SECONDS)).as("rank 1 stopped within 10 s of the coordinator's kill").isTrue();
            assertThat(rank1.exitValue()).isEqualTo(1);
            // where rank 1 was when its coordinator went (a report, a receive, its heartbeat) words the line
            assertThat(lastLine(dir.resolve("rank1.log"))).startsWith("worker: ").contains("coordinator 127.0.0.1:" + port);
        } finally {
            coordinator.destroyForcibly();
            rank1.destroyForcibly();
        }
    }

    @Test
    void aCallerFailingBetweenStepsStopsTheOtherRanks() throws Exception {
        TrainOptions options = new TrainOptions(100_000, ExecutorOptions.defaults(3, 1e-2), 9, Optional.empty(), Optional.empty());
        int port = Launched.freePort();
        Process rank1 = worker(port);
        try {
            assertThatThrownBy(() -> Launched.coordinate(port, options, r -> {
                if (r.step() == 2) {
                    throw new IllegalStateException("the caller failed");
                }
            })).hasMessage("the caller failed");
            assertThat(rank1.waitFor(10, TimeUnit.SECONDS)).as("rank 1 stopped within 10 s of the caller's failure").isTrue();
            assertThat(lastLine(dir.resolve("rank1.log"))).startsWith("worker: device cpu1 failed at step ")
                    .endsWith("the run stopped: device coordinator failed at step 2: the caller failed");
        } finally {
            rank1.destroyForcibly();
        }
    }

    /** A coordinator that cannot hand out the job (here: it answers UNAVAILABLE) is named with the worker's rank, in one line. */
    @Test
    void aCoordinatorThatCannotHandOutTheJobIsNamed() throws IOException {
        ServerServiceDefinition refusing = ServerServiceDefinition.builder(Coordinator.SERVICE)
                .addMethod(Coordinator.JOB, ServerCalls.asyncUnaryCall((request, out) ->
                        out.onError(Status.UNAVAILABLE.withDescription("shutting down").asException()))).build();
        try (EventLoop loop = EventLoop.start()) {
            Server server = loop.server("127.0.0.1", 0, InsecureServerCredentials.create()).addService(refusing).build().start();
            try {
                assertThatThrownBy(() -> Worker.run(new Rendezvous("127.0.0.1", server.getPort(), 1, 2), "127.0.0.1"))
                        .isInstanceOf(ExecutionException.class)
                        .hasMessage("device rank 1 failed at start-up: coordinator 127.0.0.1:" + server.getPort()
                                + " answered Job with UNAVAILABLE: shutting down");
            } finally {
                server.shutdownNow();
            }
        }
    }

    /** The worker of rank 1, its output in {@code rank1.log}. */
    private Process worker(int port) throws IOException {
        return Launched.worker(port, 1, 2, ProcessBuilder.Redirect.to(dir.resolve("rank1.log").toFile()));
    }

    /** The worker's error: the last line of its output (the JVM's own warnings come first). */
    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
