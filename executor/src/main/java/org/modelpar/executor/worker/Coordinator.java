package org.modelpar.executor.worker;

import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.ParameterLayout;
import org.modelpar.executor.StepResult;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.profile.CalibrationPass;
import org.modelpar.executor.profile.CalibrationPasses;
import org.modelpar.executor.train.Checkpoint;
import org.modelpar.executor.train.DivergedException;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.transport.ByteMarshaller;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.EventLoop;
import org.modelpar.executor.transport.TransportLoad;
import org.modelpar.simulator.program.Lowering;
import org.modelpar.simulator.program.StepProgram;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The rendezvous and the collector of one multi-process run. Workers fetch the job ({@code Job}), join
 * with the address of their transport and wait until all have joined ({@code Join}: {@link JoinBarrier}), time
 * their warm-up steps ({@code WarmUp}: {@link WarmUpBarrier}), report every step ({@code Report}), time a calibration pass when the answer to a report asks for one ({@code Pass}: {@link PassReport})
 * and report their own failure ({@code Fail}).
 * {@link #await} turns the reports into step results in step order (loss summed over ranks, time the
 * slowest rank's), writes the assembled checkpoint after each step when the job asks for one, and ends
 * with the training result; the first failure (a worker's, its process's exit seen by a supervisor
 * through {@link #fail}, or a rank lost by its {@code Heartbeat} stream: {@link Heartbeats}) ends it with an
 * {@link ExecutionException} naming the rank, its host and its instruction, and tells every worker to stop.
 * The heartbeats are recorded by gRPC's threads and checked every {@link #SUPERVISE_MILLIS} ms by a thread of
 * their own, neither of which waits for {@link #await}'s caller: its work between steps (a calibration) runs
 * outside every lock. A worker's report of step N is answered once the caller is done with step N, and the worker
 * starts step N + 1 only then: as with worker threads, the caller's work between steps (a calibration's timed passes)
 * runs while the workers wait, not beside their next step (where, on a host the workers fill, it was timed while
 * sharing the cores with them and priced the gpt's pipeline 27-37% slow).
 */
public final class Coordinator implements AutoCloseable {
    static final String SERVICE = "modelpar.Coordinator";
    static final MethodDescriptor<byte[], byte[]> JOB = ByteMarshaller.method(SERVICE, "Job", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> JOIN = ByteMarshaller.method(SERVICE, "Join", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> REPORT = ByteMarshaller.method(SERVICE, "Report", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> FAIL = ByteMarshaller.method(SERVICE, "Fail", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> WARM_UP = ByteMarshaller.method(SERVICE, "WarmUp", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> PASS = ByteMarshaller.method(SERVICE, "Pass", MethodDescriptor.MethodType.UNARY);
    /** The answer to a report that asks its worker for a calibration pass ({@link PassReport}) before its next step. */
    static final byte[] TIME_A_PASS = "pass".getBytes(StandardCharsets.UTF_8);
    static final MethodDescriptor<byte[], byte[]> HEARTBEAT =
            ByteMarshaller.method(SERVICE, "Heartbeat", MethodDescriptor.MethodType.BIDI_STREAMING);
    /** How often the supervisor thread checks the heartbeats. */
    static final long SUPERVISE_MILLIS = 100;
    /** How long a failure that follows from another rank's waits ({@link #failAfterGrace}): past a broken stream's grace. */
    static final long SECONDARY_GRACE_MILLIS = Heartbeats.BROKEN_GRACE_MILLIS + 1_000;
    private final WorkerJob job;
    private final String model;
    private final String planHash;
    private final List<String> devices;
    private final StepProgram program;
    private final ParameterLayout layout;
    private final Timeline.Builder timeline;
    private final double originEpochSeconds;
    private final int firstStep;
    private final JoinBarrier joins;
    private final Map<Integer, Map<Integer, StepReport>> reports = new TreeMap<>();
    private final HeldAnswers held;
    /** The last step whose reports the caller of {@link #await} took. */
    private int takenThrough;
    /** The calibration passes asked of workers and not yet taken, by rank. */
    private final Map<Integer, CalibrationPass> passes = new HashMap<>();
    private final Heartbeats heartbeats;
    private final WarmUpBarrier warmUp;
    private final Server server;
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "modelpar-supervisor");
        t.setDaemon(true);
        return t;
    });
    /** When a worker last reported a step or a warm-up step. */
    private volatile long lastNewsNanos = System.nanoTime();
    private ExecutionException failure;

    /**
     * Serves the rendezvous of {@code devices.size()} workers.
     *
     * @param loop      the process's event loop, which the server runs on (its handlers take this coordinator's lock,
     *                  so they run on gRPC's executor, not on the loop)
     * @param devices   the device each rank runs, by rank (the step program's order)
     * @param firstStep the step the run starts at (a resumed run's checkpoint step count)
     */
    public Coordinator(EventLoop loop, String host, int port, WorkerJob job, List<String> devices, int firstStep) {
        this.job = job;
        this.model = job.graph().name();
        this.planHash = Checkpoint.planHash(job.plan());
        this.devices = List.copyOf(devices);
        this.program = Lowering.lower(job.graph(), job.cluster(), job.plan());
        this.layout = ParameterLayout.of(job.graph(), program);
        this.timeline = Timeline.builder(Timeline.Source.MEASURED, devices);
        this.originEpochSeconds = Ticker.epochSeconds();
        this.firstStep = firstStep;
        this.held = new HeldAnswers(firstStep);
        this.takenThrough = firstStep - 1;
        this.joins = new JoinBarrier(devices.size());
        this.warmUp = new WarmUpBarrier(devices.size());
        this.heartbeats = new Heartbeats(Ticker.system(), TimeUnit.MILLISECONDS.toNanos(job.timeoutMillis() / 2));
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(JOB, ServerCalls.asyncUnaryCall((req, out) -> ByteMarshaller.reply(out, job.encode())))
                .addMethod(JOIN, ServerCalls.asyncUnaryCall((req, out) -> joins.join(req, out)
                        .ifPresent(error -> fail(new ExecutionException("rendezvous", "join", error, null)))))
                .addMethod(REPORT, ServerCalls.asyncUnaryCall((req, out) -> report(StepReport.decode(req), out)))
                .addMethod(PASS, ServerCalls.asyncUnaryCall((req, out) -> pass(PassReport.decode(req), out)))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) -> {
                    failed(FailureReport.decode(req));
                    ByteMarshaller.reply(out, new byte[0]);
                }))
                .addMethod(WARM_UP, ServerCalls.asyncUnaryCall((req, out) -> {
                    lastNewsNanos = System.nanoTime();
                    warmUp.arrive(new String(req, StandardCharsets.UTF_8), out);
                }))
                .addMethod(HEARTBEAT, ServerCalls.asyncBidiStreamingCall(heartbeats::stream)).build();
        try {
            this.server = loop.server(host, port, InsecureServerCredentials.create()).addService(service).build().start();
        } catch (IOException e) {
            supervisor.shutdownNow();
            // a port another process holds (a second rank 0, an earlier run): the launch picks another
            throw new LaunchException("cannot serve the coordinator on " + host + ":" + port + ": " + EventLoop.whyNotServing(e));
        }
        supervisor.scheduleWithFixedDelay(() -> heartbeats.check().ifPresent(lost -> fail(lost.rank(), lost.where(), lost.why())),
                SUPERVISE_MILLIS, SUPERVISE_MILLIS, TimeUnit.MILLISECONDS);
    }

    public int port() {
        return server.getPort();
    }

    /** Records the first failure: rank {@code rank} failed at {@code where} (e.g. {@code step 2}) because of {@code why}. */
    public synchronized void fail(int rank, String where, String why) {
        fail(new ExecutionException(devices.get(rank) + " (rank " + rank + " at " + joins.address(rank) + ")", where, why, null));
    }

    private void failed(FailureReport r) {
        if (r.causedByPeer()) {
            failAfterGrace(r.rank(), r.where(), r.why());
        } else {
            fail(r.rank(), r.where(), r.why());
        }
    }

    /**
     * Stops the run from the coordinator's side (its caller failed, {@code why}, at the step whose reports it took last):
     * as a rank's failure does, every worker waiting on it is answered and stops; nothing when the run has failed already.
     */
    public synchronized void abort(String why) {
        fail(new ExecutionException("coordinator", "step " + takenThrough, why, null));
    }

    /**
     * Records the run's first failure and answers every worker that waits on this coordinator (for the rendezvous, a
     * warm-up step, its next step, its heartbeat), so that none waits on for a run that is over.
     */
    private synchronized void fail(ExecutionException e) {
        if (failure == null) {
            failure = e;
            heartbeats.stopAll(failure.getMessage());
            warmUp.abort(failure.getMessage());
            held.releaseAll();
            joins.abort(failure.getMessage());
        }
        notifyAll();
    }

    /**
     * Records a failure that follows from another rank's (a worker whose connection to a lost peer broke, a worker
     * process that exited after reporting its failure) after {@link #SECONDARY_GRACE_MILLIS} ms, unless a failure is
     * recorded first: so the rank that was lost (its process killed, its heartbeat stream broken) is the one named.
     */
    public void failAfterGrace(int rank, String where, String why) {
        try {
            supervisor.schedule(() -> fail(rank, where, why), SECONDARY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the coordinator is closed: the run is over
        }
    }

    /** The step the run is at: the first one not yet reported by every rank. */
    public synchronized int currentStep() {
        int step = takenThrough + 1; // the reports of the steps the caller took are gone
        while (reports.getOrDefault(step, Map.of()).size() == devices.size()) {
            step++;
        }
        return step;
    }

    /**
     * Waits for every step, calling {@code onStep} for each in order (on this thread, holding no lock), and returns
     * the run's result.
     *
     * @throws ExecutionException the first failure, or a step none of whose ranks reported (neither it nor a
     *                            warm-up step) for twice the job's timeout plus a start-up allowance
     * @throws DivergedException  when a rank's loss share of a step is NaN or infinite (before its {@code onStep})
     */
    public TrainResult await(BiConsumer<StepResult, CalibrationPasses> onStep) throws InterruptedException {
        List<Double> losses = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        Map<Integer, StepReport> last = Map.of();
        for (int step = firstStep; step < job.steps(); step++) {
            last = reportsOf(step);
            requireFinite(step, last);
            int done = step;
            last.forEach((rank, r) -> r.trace().addTo(timeline, program.programs().get(rank), done, originEpochSeconds));
            losses.add(last.values().stream().mapToDouble(StepReport::loss).sum());
            seconds.add(last.values().stream().mapToDouble(StepReport::seconds).max().orElse(0));
            CallSamples ringSteps = last.values().stream().map(StepReport::ringSteps).reduce(CallSamples.NONE, CallSamples::plus);
            long collections = last.values().stream().mapToLong(StepReport::collections).sum();
            if (collections > 0) {
                timeline.paused(step);
            }
            onStep.accept(new StepResult(step, losses.get(losses.size() - 1), seconds.get(seconds.size() - 1), ringSteps,
                    last.values().stream().mapToDouble(StepReport::backgroundCpuSeconds).sum(),
                    last.values().stream().map(StepReport::transport).reduce(TransportLoad.NONE, TransportLoad::plus), collections),
                    index -> calibrationPass(Math.floorMod(index, devices.size()), done));
            if (job.checkpoint().isPresent()) {
                Checkpoints.assemble(model, planHash, step + 1, last.values(), layout, devices).write(job.checkpoint().get());
            }
            held.release(step);
        }
        Map<String, Long> peaks = new HashMap<>();
        last.values().forEach(r -> peaks.putAll(r.peakMemoryBytes()));
        return new TrainResult(firstStep, losses, seconds, peaks, timeline.build(),
                Checkpoints.assemble(model, planHash, job.steps(), last.values(), layout, devices).parameters(), warmUp.stepSeconds());
    }

    /** Waits for every rank's report of {@code step} and takes them (rank order). */
    private synchronized Map<Integer, StepReport> reportsOf(int step) throws InterruptedException {
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(2 * job.timeoutMillis()) + TimeUnit.SECONDS.toNanos(60);
        long since = System.nanoTime();
        while (failure == null && reports.getOrDefault(step, Map.of()).size() < devices.size()) {
            if (System.nanoTime() - Math.max(since, lastNewsNanos) > stallNanos) {
                int missing = 0;
                while (reports.getOrDefault(step, Map.of()).containsKey(missing)) {
                    missing++;
                }
                fail(missing, "step " + step, "no report for " + stallNanos / 1_000_000_000 + " s (nor from any other rank)");
            }
            wait(SUPERVISE_MILLIS);
        }
        if (failure != null) {
            throw failure;
        }
        takenThrough = step;
        return reports.remove(step);
    }

    /** Stops the run at the first rank whose loss share of {@code step} is NaN or infinite, naming it. */
    private void requireFinite(int step, Map<Integer, StepReport> ranks) {
        for (StepReport r : ranks.values()) {
            try {
                DivergedException.requireFinite(step, r.loss(), r.rank(), devices.get(r.rank()), job.learningRate());
            } catch (DivergedException e) {
                fail(r.rank(), "step " + step, e.getMessage());
                throw e;
            }
        }
    }

    /**
     * Asks rank {@code rank}, which waits for the answer to its report of {@code step} as every rank does, for a
     * calibration pass on its device's thread and waits for it (the other ranks keep waiting: the pass is timed on a host
     * the run leaves idle, as worker threads' are). The run's {@link #await} caller calls it, holding no lock.
     *
     * @throws ExecutionException the run's failure, or the rank's sending no pass for twice the job's timeout
     */
    private CalibrationPass calibrationPass(int rank, int step) {
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(2 * job.timeoutMillis());
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
            ByteMarshaller.reply(held.take(step, rank).orElseThrow(
                    () -> new IllegalStateException("rank " + rank + " is not waiting after step " + step)), TIME_A_PASS);
            long since = System.nanoTime();
            try {
                while (failure == null && !passes.containsKey(rank)) {
                    if (System.nanoTime() - since > stallNanos) {
                        fail(rank, "calibration pass after step " + step, "no pass for " + stallNanos / 1_000_000_000 + " s");
                    }
                    wait(SUPERVISE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for rank " + rank + "'s calibration pass", e);
            }
            if (failure != null) {
                throw failure;
            }
            return passes.remove(rank);
        }
    }

    private synchronized void report(StepReport r, StreamObserver<byte[]> answer) {
        lastNewsNanos = System.nanoTime();
        reports.computeIfAbsent(r.step(), k -> new TreeMap<>()).put(r.rank(), r);
        held.hold(r.step(), r.rank(), answer);
        notifyAll();
    }

    private synchronized void pass(PassReport p, StreamObserver<byte[]> answer) {
        lastNewsNanos = System.nanoTime();
        passes.put(p.rank(), p.pass());
        held.hold(p.step(), p.rank(), answer);
        notifyAll();
    }

    @Override
    public void close() {
        supervisor.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
