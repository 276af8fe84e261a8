package org.modelpar.executor.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.FaultHook;
import org.modelpar.executor.Plans;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.StepProgram;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Issue 7 item 3: a worker killed mid-step stops the run, naming device and instruction; resume is exact. */
class FaultAndResumeTest {
    private static final int STEPS = 4;
    private final ComputationGraph graph = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11");
    private final PlacementPlan plan = Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
    private final StepProgram program = Plans.lower(graph, plan);

    @Test
    void killedWorkerStopsTheRunAndResumeEqualsUninterruptedRun(@TempDir Path dir) {
        Map<String, INDArray> uninterrupted = train(STEPS, FaultHook.none(), Optional.empty(), Optional.empty()).parameters();

        FaultHook kill = (device, step, index, instruction) -> {
            if (device.equals("cpu1") && step == 2 && index == 3) {
                throw new IllegalStateException("worker killed by test hook");
            }
        };
        long start = System.nanoTime();
        assertThatThrownBy(() -> train(STEPS, kill, Optional.of(dir), Optional.empty()))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("device cpu1")
                .hasMessageContaining("step 2 instruction 3 '" + program.programs().get(1).instructions().get(3).name() + "'")
                .hasMessageContaining("worker killed by test hook");
        assertThat((System.nanoTime() - start) / 1e9).as("stopped within the bounded wait").isLessThan(20);

        TrainResult resumed = train(STEPS, FaultHook.none(), Optional.of(dir), Optional.of(dir));
        assertThat(resumed.firstStep()).isEqualTo(2);
        assertThat(resumed.losses()).hasSize(2);
        for (String name : uninterrupted.keySet()) {
            assertThat(resumed.parameters().get(name).equals(uninterrupted.get(name))).as("parameter %s bit-identical", name).isTrue();
        }
    }

    @Test
    void hungWorkerTimesOutNamingTheWaitingDeviceAndNothingHangs() {
        FaultHook hang = (device, step, index, instruction) -> {
            if (device.equals("cpu1") && step == 0 && index == 0) {
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
        ExecutorOptions options = ExecutorOptions.defaults(3, 1e-2).withFaultHook(hang).withTimeout(Duration.ofSeconds(2));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Trainer.train(graph, program, new TrainOptions(1, options, 9, Optional.empty(), Optional.empty()), r -> { }))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("device cpu0")
                .hasMessageContaining("timed out after 2.0 s waiting for message")
                .hasMessageContaining("from=cpu1");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
    }

    @Test
    void truncatedOrAlteredCheckpointIsRefused(@TempDir Path dir) throws IOException {
        train(1, FaultHook.none(), Optional.of(dir), Optional.empty());
        Path file = dir.resolve(Checkpoint.FILE);
        byte[] good = Files.readAllBytes(file);
        assertThat(Checkpoint.read(dir).stepsDone()).isEqualTo(1);

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 100));
        assertThatThrownBy(() -> Checkpoint.read(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("checksum mismatch").hasMessageNotContaining("\n");

        byte[] altered = good.clone();
        altered[good.length / 2] ^= 1;
        Files.write(file, altered);
        assertThatThrownBy(() -> train(2, FaultHook.none(), Optional.empty(), Optional.of(dir)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining(file.toString());

        Files.write(file, new byte[10]);
        assertThatThrownBy(() -> Checkpoint.read(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a modelpar checkpoint or truncated");
        assertThat(Files.exists(dir.resolve(Checkpoint.FILE + ".tmp"))).isFalse();
    }

    private TrainResult train(int steps, FaultHook hook, Optional<Path> checkpoints, Optional<Path> resume) {
        ExecutorOptions options = ExecutorOptions.defaults(3, 1e-2).withFaultHook(hook).withTimeout(Duration.ofSeconds(10));
        return Trainer.train(graph, program, new TrainOptions(steps, options, 9, checkpoints, resume), r -> { });
    }
}
