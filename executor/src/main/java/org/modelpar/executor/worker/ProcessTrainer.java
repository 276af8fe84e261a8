package org.modelpar.executor.worker;

import java.util.List;
import java.util.function.Consumer;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.train.Checkpoint;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;

/**
 * Trains with one local worker process per device: the training loop of
 * {@link org.modelpar.executor.train.Trainer}, spread over processes that talk gRPC on loopback. The
 * same plan, seed and data give bit-identical parameters either way.
 */
public final class ProcessTrainer {
    private ProcessTrainer() {
    }

    /**
     * Trains; this process is the coordinator and starts the workers with {@code workerCommand}.
     *
     * @param workerCommand the command line of a worker process (it finds the coordinator in its environment)
     * @throws org.modelpar.executor.train.CheckpointException when the resume checkpoint is unusable
     * @throws org.modelpar.executor.ExecutionException        when a worker fails or its process dies
     */
    public static TrainResult train(ComputationGraph graph, ClusterSpec cluster, StepProgram program, TrainOptions options,
                                    List<String> workerCommand, Consumer<StepResult> onStep) {
        int first = options.resumeDir().map(d -> Checkpoint.readFor(d, graph.name(), program.plan()).stepsDone()).orElse(0);
        WorkerJob job = WorkerJob.of(graph, cluster, program.plan(), options);
        List<String> devices = program.programs().stream().map(DeviceProgram::device).toList();
        try (Coordinator coordinator = new Coordinator("127.0.0.1", 0, job, devices, first);
             LocalWorkers workers = LocalWorkers.start(workerCommand, devices.size(), "127.0.0.1:" + coordinator.port(), coordinator)) {
            try {
                return coordinator.await(onStep);
            } catch (RuntimeException e) {
                workers.kill();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training with worker processes", e);
        }
    }
}
