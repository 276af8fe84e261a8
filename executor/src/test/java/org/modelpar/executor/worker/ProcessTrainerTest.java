package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.Plans;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.profile.CalibrationPass;
import org.modelpar.executor.train.Checkpoint;
import org.modelpar.executor.train.CheckpointException;
import org.modelpar.executor.train.DivergedException;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.program.Stream;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Real worker processes on loopback: a 2-stage gpt (its tied embedding all-reduced across the processes, with and
 * without warm-up steps before the run) and
 * a gpt split over a tensor-parallel pair (its collectives over gRPC) and moe-tiny over an expert-parallel pair (its
 * token exchanges over gRPC) train bit-identically to worker threads; a worker killed with SIGKILL stops the run within 10 s naming
 * its rank, and a resume on fresh processes reaches the uninterrupted run's parameter hash (also from the parts of
 * ZeRO stage 3); a caller that takes longer between two steps than the heartbeat bound (a calibration) loses no rank, and
 * no worker starts the next step before it is done; a
 * checkpoint with no steps left and a NaN loss stop the run as they stop threads.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ProcessTrainerTest {
    private static final int STEPS = 4;
    private final ComputationGraph graph = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=11");
    private final PlacementPlan plan = Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
    private final ClusterSpec cluster = Plans.local(2);
    private final StepProgram program = Lowering.lower(graph, cluster, plan);
    private final List<String> command = LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of());

    @Test
    void processesTrainBitIdenticallyToThreads() {
        TrainResult threads = Trainer.train(graph, program, options(Optional.empty(), Optional.empty()), r -> { });
        // warm-up steps before the run (both sides) change nothing of it
        TrainResult warmThreads = Trainer.train(graph, program, options(Optional.empty(), Optional.empty()).withWarmUp(true), r -> { });
        TrainResult processes = ProcessTrainer.train(graph, cluster, program, options(Optional.empty(), Optional.empty()).withWarmUp(true),
                command, r -> { });
        assertThat(threads.warmUpSeconds()).isEmpty();
        assertThat(warmThreads.warmUpSeconds()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(processes.warmUpSeconds()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(warmThreads.parameterSha256()).isEqualTo(threads.parameterSha256());
        assertThat(warmThreads.timeline().spans()).hasSize(threads.timeline().spans().size());
        assertThat(processes.losses()).isEqualTo(threads.losses());
        assertThat(processes.parameterSha256()).isEqualTo(threads.parameterSha256());
        assertThat(processes.peakMemoryBytes()).containsOnlyKeys("cpu0", "cpu1");
        // the ranks' measured spans reach the coordinator: every instruction of every step, on one clock
        assertThat(processes.timeline().spans()).hasSize(threads.timeline().spans().size());
        Timeline last = processes.timeline().lastStep();
        assertThat(last.spans()).extracting(s -> s.device() + " " + s.name())
                .containsExactlyInAnyOrderElementsOf(threads.timeline().lastStep().spans().stream().map(s -> s.device() + " " + s.name()).toList());
        Span send = last.spans().stream().filter(s -> s.name().equals("send act s0>s1 mb0")).findFirst().orElseThrow();
        Span recv = last.spans().stream().filter(s -> s.name().equals("recv act s0>s1 mb0")).findFirst().orElseThrow();
        assertThat(recv.endSeconds()).as("a receive ends after its send started").isGreaterThanOrEqualTo(send.startSeconds());
        assertThat(last.memoryOf("cpu1")).isNotEmpty();
    }

    @Test
    void tensorParallelRanksInProcessesTrainBitIdenticallyToThreads() {
        ComputationGraph gpt = ModelZoo.build("gpt:layers=2,hidden=16,heads=2,seq=8,vocab=12");
        StepProgram tensor = Lowering.lower(gpt, cluster, Plans.tensorParallel(gpt, 1, 2, 1, Schedule.GPIPE));
        TrainResult threads = Trainer.train(gpt, tensor, options(Optional.empty(), Optional.empty()), r -> { });
        TrainResult processes = ProcessTrainer.train(gpt, cluster, tensor, options(Optional.empty(), Optional.empty()),
                command, r -> { });
        assertThat(processes.losses()).isEqualTo(threads.losses());
        assertThat(processes.parameterSha256()).isEqualTo(threads.parameterSha256());
    }

    @Test
    void expertParallelMembersInProcessesTrainBitIdenticallyToThreads() {
        ComputationGraph moe = ModelZoo.build("moe-tiny");
        PlacementPlan replicas = Plans.plan(moe, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        StepProgram experts = Lowering.lower(moe, cluster, replicas.withOptions(replicas.options().withExpertParallel(2)));
        TrainResult threads = Trainer.train(moe, experts, options(Optional.empty(), Optional.empty()), r -> { });
        TrainResult processes = ProcessTrainer.train(moe, cluster, experts, options(Optional.empty(), Optional.empty()),
                command, r -> { });
        assertThat(processes.losses()).isEqualTo(threads.losses());
        assertThat(processes.parameterSha256()).isEqualTo(threads.parameterSha256());
    }

    /**
     * Rank 1 is killed with SIGKILL after step 1, while it is in step 2 (its fault hook holds it at step 2's first
     * instruction, so that neither it nor the coordinator can have finished step 2 when the kill comes, however the
     * machine's load schedules the processes: the checkpoint is the one after step 1).
     */
    @Test
    void killedWorkerStopsTheRunNamingItsRankAndResumeIsExact(@TempDir Path dir) {
        String uninterrupted = Trainer.train(graph, program, options(Optional.empty(), Optional.empty()), r -> { }).parameterSha256();
        long[] killedAt = new long[1];
        Consumer<StepResult> killRank1AfterStep1 = r -> {
            if (r.step() == 1) {
                ProcessHandle.current().children().filter(p -> rankOf(p) == 1).forEach(ProcessHandle::destroyForcibly);
                killedAt[0] = System.nanoTime();
            }
        };
        List<String> holdsRank1InStep2 = LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of("hang=1:2:0"));
        assertThatThrownBy(() -> ProcessTrainer.train(graph, cluster, program, options(Optional.of(dir), Optional.empty()),
                holdsRank1InStep2, killRank1AfterStep1))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("device cpu1 (rank 1 at 127.0.0.1:")
                .hasMessageContaining("failed at step 2: worker process ")
                .hasMessageContaining("was killed by signal 9")
                .hasMessageNotContaining("\n");
        assertThat((System.nanoTime() - killedAt[0]) / 1e9).as("seconds from kill to stop").isLessThan(10);

        List<Integer> resumedSteps = new ArrayList<>();
        TrainResult resumed = ProcessTrainer.train(graph, cluster, program, options(Optional.of(dir), Optional.of(dir)),
                command, r -> resumedSteps.add(r.step()));
        assertThat(resumed.firstStep()).isEqualTo(2);
        assertThat(resumedSteps).containsExactly(2, 3);
        assertThat(resumed.parameterSha256()).isEqualTo(uninterrupted);
    }

    /**
     * ZeRO stage 3 over two processes: each rank holds its part of every weight, and the checkpoint the coordinator
     * assembles from the ranks' parts resumes, on fresh processes, to the parameter hash of an uninterrupted run.
     */
    @Test
    void zeroStageThreeCheckpointsFromTheRanksPartsAndResumesExactly(@TempDir Path dir) {
        PlacementPlan replicas = Plans.plan(graph, 1, 2, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.ADAM);
        StepProgram zero = Lowering.lower(graph, cluster, replicas.withOptions(replicas.options().withZeroStage(3)));
        String uninterrupted = Trainer.train(graph, zero, options(Optional.empty(), Optional.empty()), r -> { }).parameterSha256();
        assertThatThrownBy(() -> ProcessTrainer.train(graph, cluster, zero, options(Optional.of(dir), Optional.empty()), command, r -> {
            if (r.step() == 1) {
                ProcessHandle.current().children().filter(p -> rankOf(p) == 1).forEach(ProcessHandle::destroyForcibly);
            }
        })).isInstanceOf(ExecutionException.class).hasMessageContaining("device cpu1 (rank 1 at 127.0.0.1:");
        TrainResult resumed = ProcessTrainer.train(graph, cluster, zero, options(Optional.of(dir), Optional.of(dir)), command, r -> { });
        assertThat(resumed.firstStep()).isEqualTo(2);
        assertThat(resumed.parameterSha256()).isEqualTo(uninterrupted);
    }

    /** A checkpoint whose steps are all done is refused as threads refuse it, before any worker process starts. */
    @Test
    void resumingACheckpointWithNoStepsLeftIsRefusedBeforeStarting(@TempDir Path dir) {
        Trainer.train(graph, program, options(Optional.of(dir), Optional.empty()), r -> { });
        String threads = catchThrowableOfType(CheckpointException.class,
                () -> Trainer.train(graph, program, options(Optional.empty(), Optional.of(dir)), r -> { })).getMessage();
        assertThat(threads).isEqualTo(dir.resolve(Checkpoint.FILE) + ": the checkpoint is at step 4, so a run ending at step 4 has"
                + " nothing to train; ask for more than 4 steps");
        List<String> noWorker = List.of("/nonexistent/modelpar-worker");
        assertThatThrownBy(() -> ProcessTrainer.train(graph, cluster, program, options(Optional.empty(), Optional.of(dir)), noWorker,
                r -> { })).isInstanceOf(CheckpointException.class).hasMessage(threads);
    }

    /** A NaN loss stops worker processes at the step where threads stop, naming the rank whose share it is. */
    @Test
    void aNonFiniteLossStopsTheRunNamingTheRankAndStep() {
        PlacementPlan sgd = Plans.plan(graph, 2, 1, 2, 2, Schedule.ONE_F_ONE_B, OptimizerKind.SGD);
        StepProgram diverging = Lowering.lower(graph, cluster, sgd);
        TrainOptions hugeRate = new TrainOptions(STEPS, ExecutorOptions.defaults(3, 1e38), 9, Optional.empty(), Optional.empty());
        String threads = catchThrowableOfType(DivergedException.class, () -> Trainer.train(graph, diverging, hugeRate, r -> { }))
                .getMessage();
        assertThat(threads).startsWith("training diverged: the loss of step ").contains(" at learning rate 1.0E38");
        List<Integer> steps = new ArrayList<>();
        assertThatThrownBy(() -> ProcessTrainer.train(graph, cluster, diverging, hugeRate, command, r -> steps.add(r.step())))
                .isInstanceOf(DivergedException.class)
                .hasMessage(threads.replace(" at learning rate", " on rank 1 (cpu1) at learning rate"));
        int step = Integer.parseInt(threads.replaceAll(".* step (\\d+) is .*", "$1"));
        assertThat(steps).as("steps reported before the diverged one").hasSize(step);
    }

    @Test
    void hungWorkerIsNamedByItsHeartbeatBeforeItsPeerTimesOut() {
        Duration timeout = Duration.ofSeconds(8);
        List<Instruction> rank1 = program.programs().get(1).instructions();
        int compute = IntStream.range(0, rank1.size()).filter(i -> rank1.get(i).stream() == Stream.COMPUTE).findFirst().orElseThrow();
        List<String> hangs = LocalWorkers.javaCommand(TestWorkerMain.class.getName(), List.of("hang=1:1:" + compute));
        long[] stepZeroAt = new long[1];
        assertThatThrownBy(() -> ProcessTrainer.train(graph, cluster, program, options(Optional.empty(), Optional.empty(), timeout),
                hangs, r -> stepZeroAt[0] = System.nanoTime()))
                .isInstanceOf(ExecutionException.class)
                .hasMessageStartingWith("device cpu1 (rank 1 at 127.0.0.1:")
                .hasMessageContaining("failed at step 1 instruction " + compute + " '" + rank1.get(compute).name() + "': no progress for ")
                .hasMessageEndingWith(" s in a compute instruction (hung)");
        assertThat((System.nanoTime() - stepZeroAt[0]) / 1e9).as("seconds from step 0 to the stop").isLessThan(timeout.toSeconds());
    }

    @Test
    void aCallerBusyBetweenStepsForLongerThanTheHeartbeatBoundLosesNoRank() {
        Duration timeout = Duration.ofSeconds(6);
        long pauseMillis = timeout.toMillis() / 2 + 2_000;
        List<Integer> steps = new ArrayList<>();
        TrainResult processes = ProcessTrainer.train(graph, cluster, program, options(Optional.empty(), Optional.empty(), timeout),
                command, r -> {
                    steps.add(r.step());
                    if (r.step() == 1) {
                        // a calibration between steps: the heartbeats go on, and the workers wait for it, hung or not
                        try {
                            Thread.sleep(pauseMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        assertThat(steps).containsExactly(0, 1, 2, 3);
        // no worker starts step 2 before the caller is done with step 1 (its timed passes run on idle cores)
        double step1Ends = processes.timeline().spans().stream().filter(s -> s.step() == 1).mapToDouble(Span::endSeconds).max().orElseThrow();
        double step2Starts = processes.timeline().spans().stream().filter(s -> s.step() == 2).mapToDouble(Span::startSeconds).min().orElseThrow();
        assertThat(step2Starts - step1Ends).isGreaterThanOrEqualTo(pauseMillis / 1e3);
        assertThat(processes.parameterSha256())
                .isEqualTo(Trainer.train(graph, program, options(Optional.empty(), Optional.empty()), r -> { }).parameterSha256());
    }

    /**
     * Between two steps the caller takes calibration passes from the ranks in turn (index modulo the world size), each
     * timed in its worker process while the others wait: every pass times the plan's ops and its stages' optimizer steps,
     * a calibration of the plan here records it, and the run trains as it would without them.
     */
    @Test
    void workersTimeCalibrationPassesBetweenStepsWhenAsked() {
        List<CalibrationPass> passes = new ArrayList<>();
        TrainResult processes = ProcessTrainer.train(graph, cluster, program, options(Optional.empty(), Optional.empty()),
                command, (r, ranks) -> {
                    if (r.step() == 1 || r.step() == 2) {
                        IntStream.range(0, 3).forEach(i -> passes.add(ranks.take(i)));
                    }
                });
        assertThat(passes).hasSize(6).allSatisfy(p -> {
            assertThat(p.opSeconds()).containsOnlyKeys(graph.ops().stream().map(OpNode::id).toList());
            assertThat(p.forwardSeconds()).isPositive();
            assertThat(p.backwardSeconds()).isPositive();
            assertThat(p.optimizerSeconds()).hasSize(2 * plan.pipelineStages());
            assertThat(java.util.Arrays.stream(p.optimizerSeconds()).min().orElseThrow()).isPositive();
        });
        Calibration here = new Calibration(graph, plan, 3);
        passes.forEach(here::add);
        assertThat(here.samples()).isEqualTo(6);
        assertThat(processes.parameterSha256())
                .isEqualTo(Trainer.train(graph, program, options(Optional.empty(), Optional.empty()), r -> { }).parameterSha256());
    }

    @Test
    void deadRankWithoutASupervisorStopsTheRunThroughItsHeartbeat() throws Exception {
        int port = Launched.freePort();
        Process rank1 = Launched.worker(port, 1, 2, ProcessBuilder.Redirect.DISCARD);
        long[] killedAt = new long[1];
        try {
            assertThatThrownBy(() -> ProcessTrainer.coordinate(graph, cluster, program, options(Optional.empty(), Optional.empty()),
                    new Rendezvous("127.0.0.1", port, 0, 2), "127.0.0.1", r -> {
                        if (r.step() == 1) {
                            rank1.destroyForcibly();
                            killedAt[0] = System.nanoTime();
                        }
                    }))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageStartingWith("device cpu1 (rank 1 at 127.0.0.1:")
                    .hasMessageContaining("its connection to the coordinator closed before the run ended (the worker process died)")
                    .hasMessageNotContaining("\n");
            assertThat((System.nanoTime() - killedAt[0]) / 1e9).as("seconds from kill to stop").isLessThan(5);
        } finally {
            rank1.destroyForcibly();
        }
    }

    private TrainOptions options(Optional<Path> checkpoint, Optional<Path> resume, Duration timeout) {
        return new TrainOptions(STEPS, ExecutorOptions.defaults(3, 1e-2).withTimeout(timeout), 9, checkpoint, resume);
    }

    /** The run's receive timeout is the executor's default (60 s): fresh worker JVMs start slowly on a loaded machine. */
    private TrainOptions options(Optional<Path> checkpoint, Optional<Path> resume) {
        return new TrainOptions(STEPS, ExecutorOptions.defaults(3, 1e-2), 9, checkpoint, resume);
    }

    /** The rank in a child's environment (Linux /proc), or -1. */
    private static int rankOf(ProcessHandle p) {
        try {
            for (String v : Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"), StandardCharsets.ISO_8859_1).split("\0")) {
                if (v.startsWith("MODELPAR_RANK=")) {
                    return Integer.parseInt(v.substring("MODELPAR_RANK=".length()));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }
}
