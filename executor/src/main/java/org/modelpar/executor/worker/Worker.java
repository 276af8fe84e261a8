package org.modelpar.executor.worker;

import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.Executor;
import org.modelpar.executor.FaultHook;
import org.modelpar.executor.MailboxCapacities;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.profile.CalibrationPass;
import org.modelpar.executor.train.SyntheticTask;
import org.modelpar.executor.train.TrainOptions;
import org.modelpar.executor.train.Trainer;
import org.modelpar.executor.train.WarmUp;
import org.modelpar.executor.transport.EventLoop;
import org.modelpar.executor.transport.GrpcTransport;
import org.modelpar.executor.transport.PeerLostException;
import org.modelpar.executor.transport.Waits;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;

/**
 * One worker process: fetches the job from the coordinator, serves its device's mailbox over gRPC, joins
 * the rendezvous, runs the warm-up steps the job asks for (as many as the coordinator says), then its device's
 * program for every step and reports each step (the next one starts once the coordinator has taken every rank's);
 * a failure is reported to the coordinator (naming the instruction) before it is rethrown.
 */
public final class Worker {
    /** How long a worker waits for the coordinator to come up and for every rank to join. */
    static final long RENDEZVOUS_SECONDS = 300;
    /** How long a failing worker tries to tell the coordinator ({@link #tellFailure}). */
    static final long FAILURE_REPORT_SECONDS = 5;

    private Worker() {
    }

    /**
     * Runs the worker of {@code rendezvous.rank()} to the end of the job.
     *
     * @param advertiseHost the host other workers reach this one at (127.0.0.1 on loopback)
     * @throws LaunchException    when the plan's device count is not the world size, or the coordinator refuses the rank
     * @throws ExecutionException when this worker's device fails, or the run fails around it (its coordinator gone)
     */
    public static void run(Rendezvous rendezvous, String advertiseHost) {
        run(rendezvous, advertiseHost, FaultHook.none());
    }

    /** As {@link #run(Rendezvous, String)}, calling {@code hook} before every instruction (tests inject faults). */
    public static void run(Rendezvous rendezvous, String advertiseHost, FaultHook hook) {
        try (EventLoop loop = EventLoop.start()) {
            run(rendezvous, advertiseHost, hook, loop);
        }
    }

    /**
     * As {@link #run(Rendezvous, String, FaultHook)} on the process's event loop {@code loop}, which its transport and
     * its channel to the coordinator run on (rank 0 of a launched job shares the coordinator's).
     */
    public static void run(Rendezvous rendezvous, String advertiseHost, FaultHook hook, EventLoop loop) {
        // the channel's callbacks only complete futures and abort the transport: they run on the event loop
        ManagedChannel channel = loop.channel(rendezvous.coordinator(), InsecureChannelCredentials.create()).directExecutor().build();
        Progress progress = new Progress(hook);
        try {
            WorkerJob job = WorkerJob.decode(call(channel, Coordinator.JOB, new byte[0]));
            train(channel, loop, rendezvous, advertiseHost, job, progress);
        } catch (RuntimeException e) {
            String where = e instanceof ExecutionException x ? x.instruction() : progress.now().where();
            String why = ExecutionException.reason(e);
            // a send to a peer whose connection broke fails because of the peer, which the coordinator names first
            tellFailure(channel, new FailureReport(rendezvous.rank(), PeerLostException.causes(e), where, why));
            // the run's failure as this worker met it (no coordinator handed out the job, or it went away) is no bug of
            // its own: one line
            throw e instanceof ExecutionException || e instanceof LaunchException ? e
                    : new ExecutionException("rank " + rendezvous.rank(), where, why, e);
        } finally {
            channel.shutdownNow();
        }
    }

    private static void train(ManagedChannel channel, EventLoop loop, Rendezvous r, String advertiseHost, WorkerJob job,
                              Progress progress) {
        ComputationGraph graph = job.graph();
        PlacementPlan plan = job.plan();
        StepProgram program = Lowering.lower(graph, job.cluster(), plan);
        if (program.programs().size() != r.worldSize()) {
            throw new LaunchException(JoinBarrier.worldSizeMismatch(r.worldSize(), program.programs().size()));
        }
        String device = program.programs().get(r.rank()).device();
        TrainOptions options = job.options(progress);
        // built (its kernels warmed up) before this rank joins: no peer waits for its messages meanwhile, and the
        // rendezvous waits for the slowest rank's (as a run of worker threads builds its calibration before any step)
        Optional<Calibration> calibration = job.calibrate() ? Optional.of(new Calibration(graph, plan, job.seed())) : Optional.empty();
        int capacity = MailboxCapacities.of(program).get(device);
        String bind = r.loopback() ? "127.0.0.1" : "0.0.0.0";
        try (GrpcTransport transport = new GrpcTransport(loop, bind, 0, Map.of(device, capacity),
                Waits.timeout(options.executor().timeout().toNanos()))) {
            String[] addresses = new String(call(channel, Coordinator.JOIN, JoinBarrier.request(r.rank(), r.worldSize(),
                    advertiseHost + ":" + transport.port())), StandardCharsets.UTF_8).split("\n");
            Map<String, String> byDevice = new LinkedHashMap<>();
            for (int i = 0; i < addresses.length; i++) {
                byDevice.put(program.programs().get(i).device(), addresses[i]);
            }
            transport.connect(byDevice);
            SyntheticTask task = SyntheticTask.forGraph(graph, options.dataSeed());
            Supplier<Executor> executors = () -> Executor.create(graph, program, options.executor(), Set.of(device), transport);
            try (HeartbeatSender beats = new HeartbeatSender(channel, r.rank(), progress, transport)) {
                if (options.warmUp()) {
                    warmUp(channel, executors, task, plan.globalBatchSize(), progress);
                }
                try (Executor executor = executors.get()) {
                    if (options.resumeDir().isPresent()) {
                        Trainer.restore(executor, options.resumeDir().get(), graph, program);
                    }
                    steps(channel, r.rank(), job, executor, device, task, progress, calibration);
                }
            }
        }
    }

    /** Warm-up steps ({@link WarmUp}) on a throwaway executor, as many as the coordinator says (the same for every rank). */
    private static void warmUp(ManagedChannel channel, Supplier<Executor> executors, SyntheticTask task, int globalBatch, Progress progress) {
        try (Executor warm = executors.get()) {
            WarmUp.run(warm, task, globalBatch, steps -> {
                progress.waiting("warm-up step " + (steps.size() - 1) + ", waiting for the other ranks");
                byte[] last = steps.get(steps.size() - 1).encode().getBytes(StandardCharsets.UTF_8);
                return "done".equals(new String(call(channel, Coordinator.WARM_UP, last), StandardCharsets.UTF_8));
            });
        }
    }

    /**
     * The run's steps, each reported to the coordinator, which answers once it has taken every rank's report of it; or
     * first asks for a calibration pass, which this worker times on its device's thread and sends.
     */
    private static void steps(ManagedChannel channel, int rank, WorkerJob job, Executor executor, String device, SyntheticTask task,
                              Progress progress, Optional<Calibration> calibration) {
        int globalBatch = job.plan().globalBatchSize();
        for (int step = executor.stepsDone(); step < job.steps(); step++) {
            StepResult s = executor.step(task.batch(step, globalBatch));
            boolean full = job.checkpoint().isPresent() || step == job.steps() - 1;
            StepReport report = new StepReport(rank, step, s.loss(), s.seconds(), executor.peakMemoryBytes(),
                    full ? executor.parameterParts().get(device) : Map.of(), full ? executor.optimizerStateParts().get(device) : Map.of(),
                    StepTrace.of(executor.timeline(step), step, executor.originEpochSeconds()), s.ringSteps(),
                    s.backgroundCpuSeconds(), s.transport(), s.collections());
            progress.waiting("step " + step + ", waiting for the coordinator to take every rank's report of it");
            byte[] answer = call(channel, Coordinator.REPORT, report.encode());
            while (Arrays.equals(answer, Coordinator.TIME_A_PASS)) {
                Calibration c = calibration.orElseThrow(() -> new IllegalStateException(
                        "the coordinator asked for a calibration pass, but the job holds no calibration"));
                progress.waiting("calibration pass after step " + step);
                CalibrationPass pass = executor.computeThreads().call(0, c::pass);
                answer = call(channel, Coordinator.PASS, new PassReport(rank, step, pass).encode());
            }
        }
    }

    /**
     * Reports this worker's failure to the coordinator, if it is still there: at once (a coordinator that went away is not
     * waited for, as the rendezvous waits for one to come up) and for at most {@value #FAILURE_REPORT_SECONDS} s, so
     * a worker whose coordinator died stops with its own error within seconds.
     */
    private static void tellFailure(ManagedChannel channel, FailureReport report) {
        CallOptions now = CallOptions.DEFAULT.withDeadlineAfter(FAILURE_REPORT_SECONDS, TimeUnit.SECONDS);
        try {
            answer(channel, Coordinator.FAIL, ClientCalls.futureUnaryCall(channel.newCall(Coordinator.FAIL, now), report.encode()));
        } catch (RuntimeException unreachable) {
            // the coordinator is gone: the worker's own error says what happened to it
        }
    }

    private static byte[] call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, byte[] request) {
        return answer(channel, method, ClientCalls.futureUnaryCall(channel.newCall(method, callOptions()), request));
    }

    private static CallOptions callOptions() {
        return CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(RENDEZVOUS_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Waits for the coordinator's answer to a call (its deadline bounds the wait).
     *
     * @throws LaunchException when the coordinator refuses this worker (INVALID_ARGUMENT: its rank or world size)
     */
    private static byte[] answer(ManagedChannel channel, MethodDescriptor<byte[], byte[]> method, Future<byte[]> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the coordinator's answer to " + method.getBareMethodName(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            if (status.getCode() == Status.Code.INVALID_ARGUMENT) {
                // the coordinator refuses a worker that does not fit the run (Coordinator#join)
                throw new LaunchException("coordinator " + channel.authority() + " refused this worker: " + status.getDescription());
            }
            throw new IllegalStateException("coordinator " + channel.authority() + " answered "
                    + method.getBareMethodName() + " with " + status.getCode() + ": " + status.getDescription(), e.getCause());
        }
    }
}
