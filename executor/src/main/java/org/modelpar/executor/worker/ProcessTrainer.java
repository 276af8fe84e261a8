package org.modelpar.executor.worker;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.FaultHook;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.CalibrationPasses;
import org.modelpar.executor.train.Checkpoint;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.train.Trainer;
import org.modelpar.executor.transport.EventLoop;
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
     * Trains on this machine; this process is the coordinator and starts one worker process per device
     * with {@code workerCommand} (it finds the coordinator in its environment).
     *
     * @throws org.modelpar.executor.train.CheckpointException when the resume checkpoint is unusable or already at
     *                                                         {@code options.steps()} (before any process starts)
     * @throws org.modelpar.executor.train.DivergedException   when a rank's loss of a step is NaN or infinite
     * @throws org.modelpar.executor.ExecutionException        when a worker fails or its process dies
     */
    public static TrainResult train(ComputationGraph graph, ClusterSpec cluster, StepProgram program, TrainOptions options,
                                    List<String> workerCommand, Consumer<StepResult> onStep) {
        return train(graph, cluster, program, options, workerCommand, false, (step, passes) -> onStep.accept(step));
    }

    /**
     * As {@link #train(ComputationGraph, ClusterSpec, StepProgram, TrainOptions, List, Consumer)}, each worker also
     * holding a {@link org.modelpar.executor.profile.Calibration} of the plan: between two steps, {@code onStep} may ask
     * any rank for a timed pass of it on its device's thread, while the others wait ({@link CalibrationPasses}).
     */
    public static TrainResult train(ComputationGraph graph, ClusterSpec cluster, StepProgram program, TrainOptions options,
                                    List<String> workerCommand, BiConsumer<StepResult, CalibrationPasses> onStep) {
        return train(graph, cluster, program, options, workerCommand, true, onStep);
    }

    private static TrainResult train(ComputationGraph graph, ClusterSpec cluster, StepProgram program, TrainOptions options,
                                     List<String> workerCommand, boolean calibrate, BiConsumer<StepResult, CalibrationPasses> onStep) {
        WorkerJob job = WorkerJob.of(graph, cluster, program.plan(), options, calibrate);
        return coordinate(graph, program, options, job, "127.0.0.1", 0, onStep, (coordinator, loop) -> {
            LocalWorkers workers = LocalWorkers.start(workerCommand, program.programs().size(),
                    "127.0.0.1:" + coordinator.port(), coordinator);
            return new Workers(workers::close, workers::kill);
        });
    }

    /**
     * Trains with workers started by a launcher (Slurm, Kubernetes): this process is rank 0, serves the
     * rendezvous on {@code rendezvous.coordinatorPort()} of every interface and runs the worker of rank 0 in
     * a thread of its own, on the coordinator's event loop (which outlives it).
     *
     * @param advertiseHost the host the other workers reach rank 0 at
     */
    public static TrainResult coordinate(ComputationGraph graph, ClusterSpec cluster, StepProgram program, TrainOptions options,
                                         Rendezvous rendezvous, String advertiseHost, Consumer<StepResult> onStep) {
        String bind = rendezvous.loopback() ? "127.0.0.1" : "0.0.0.0";
        WorkerJob job = WorkerJob.of(graph, cluster, program.plan(), options, false);
        return coordinate(graph, program, options, job, bind, rendezvous.coordinatorPort(), (step, passes) -> onStep.accept(step),
                (coordinator, loop) -> {
            Thread rank0 = new Thread(() -> {
                try {
                    Worker.run(rendezvous, advertiseHost, FaultHook.none(), loop);
                } catch (RuntimeException e) {
                    // Worker.run has reported it to the coordinator (or its heartbeat ended), which names the run's failure
                }
            }, "modelpar-rank0");
            rank0.setDaemon(true);
            rank0.start();
            // also after a failure: the coordinator has answered every worker waiting on it, and rank 0's worker ends
            // before the event loop it shares is closed
            return new Workers(() -> join(rank0), () -> join(rank0));
        });
    }

    /** How the coordinator ends its workers: after a run, or at once after a failure. */
    private record Workers(Runnable close, Runnable kill) {
    }

    private static TrainResult coordinate(ComputationGraph graph, StepProgram program, TrainOptions options, WorkerJob job,
                                          String host, int port, BiConsumer<StepResult, CalibrationPasses> onStep,
                                          BiFunction<Coordinator, EventLoop, Workers> start) {
        int first = 0;
        if (options.resumeDir().isPresent()) {
            first = Checkpoint.readFor(options.resumeDir().get(), graph.name(), program.plan()).stepsDone();
            Trainer.requireStepsLeft(options.resumeDir().get(), first, options.steps());
        }
        List<String> devices = program.programs().stream().map(DeviceProgram::device).toList();
        try (EventLoop loop = EventLoop.start(); Coordinator coordinator = new Coordinator(loop, host, port, job, devices, first)) {
            Workers workers = start.apply(coordinator, loop);
            try {
                TrainResult result = coordinator.await(onStep);
                workers.close().run();
                return result;
            } catch (RuntimeException e) {
                coordinator.abort(ExecutionException.reason(e)); // a caller's failure: the workers stop, none waits on
                workers.kill().run();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training with worker processes", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(java.util.concurrent.TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
