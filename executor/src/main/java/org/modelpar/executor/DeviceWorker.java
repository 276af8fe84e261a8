package org.modelpar.executor;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.model.UnitParameters;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.BoundaryAllGather;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.ExpertAllReduce;
import org.modelpar.simulator.program.ExpertAllToAll;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.ReduceScatter;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Interprets one device's instruction list for one step, in program order. The device runs one model chunk
 * per stage its program names (one stage, or with the interleaved schedule v of them), each pass on the chunk
 * of its instruction's stage. Sends hand their tensors to the run's transport ({@link Outbox}), also between
 * two chunks of this device; receives block until the matching message arrives ({@link Inbox}); gradient
 * collectives run over the same transport ({@link GradientSync}). The passes themselves, with what they keep
 * between instructions, are {@link ChunkPasses}'.
 */
final class DeviceWorker implements AutoCloseable {
    /** A model chunk of this device: the stage's ops and what its stash leaves to recomputation. */
    record Chunk(StageModel model, Recompute recompute) {
    }

    private final DeviceProgram program;
    private final CollectiveClock.Spans tensorSpans;
    private final DeviceState state;
    private final RunContext run;
    private final ChunkPasses passes;
    private final GradientSync sync;
    /** ZeRO stage 3: the parameters of the units in use, gathered from the replicas' parts. */
    private final Optional<UnitGathers> gathers;
    private final OptimizerStep firstOptimizerStep;
    private final OptimizerStep lastOptimizerStep;
    private final DeviceThreads threads;
    private final NormGradients norms;
    private int step;
    private boolean overflow;

    DeviceWorker(DeviceProgram program, Map<Integer, Chunk> chunks, CollectiveClock tensorClock, Boundary boundary,
                 DeviceState state, RunContext run, int microBatchSize, int replicas, DataType dataType, MessageScatter scatter,
                 NormGradients norms) {
        this.program = program;
        this.norms = norms;
        this.tensorSpans = new CollectiveClock.Spans(tensorClock);
        this.state = state;
        this.run = run;
        this.threads = new DeviceThreads(program.device());
        this.passes = new ChunkPasses(program, chunks, boundary, state, run, microBatchSize, replicas, dataType, scatter);
        this.sync = new GradientSync(program.device(), state, run, StageOwners.of(chunks.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().model().parameters()))),
                chunks.values().stream().flatMap(c -> c.model().splitExpertParameters().stream()).collect(Collectors.toSet()),
                threads);
        chunks.forEach((stage, chunk) -> UnitBuckets.of(program, stage, boundary.ops(stage),
                chunk.model().gradientsCompletedBy(), sync.parametersOf(stage)).ifPresent(b -> sync.reducePerUnit(stage, b)));
        this.gathers = state.parametersSharded ? Optional.of(new UnitGathers(device(), state, run, chunks.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().model())), threads)) : Optional.empty();
        gathers.ifPresent(g -> g.checkGathered(program));
        List<OptimizerStep> steps = program.instructions().stream().filter(i -> i instanceof OptimizerStep)
                .map(i -> (OptimizerStep) i).toList();
        this.firstOptimizerStep = steps.isEmpty() ? null : steps.get(0);
        this.lastOptimizerStep = steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    String device() {
        return program.device();
    }

    /** Buffers this worker's pool has allocated (read between steps only). */
    long pooledAllocations() {
        return passes.pooledAllocations();
    }

    /** Runs the program for one step; returns this device's share of the loss (0 on tensor ranks above 0). */
    double runStep(int step, Batch stepBatch) {
        this.step = step;
        passes.begin(stepBatch);
        List<Instruction> list = program.instructions();
        for (int i = 0; i < list.size(); i++) {
            Instruction in = list.get(i);
            run.control().check();
            long start = run.ticker().nanos();
            try {
                run.hook().beforeInstruction(device(), step, i, in);
                if (gathers.isPresent() && in instanceof Compute c && c.direction() != Direction.WEIGHT_GRADIENT) {
                    // a part starts once its unit's gather (prefetched on the gather thread) is done
                    gathers.get().parameters(c.stage(), c.part());
                    start = run.ticker().nanos();
                } else if (in == firstOptimizerStep) {
                    // the update starts once the overlapped reductions are done (their spans record the wait), as simulated
                    sync.awaitOverlapped();
                    start = run.ticker().nanos();
                }
                execute(step, i, in);
            } catch (RunControl.Aborted e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunControl.Aborted();
            } catch (RuntimeException | Error e) {
                String where = "step " + step + " instruction " + i + " '" + in.name() + "'";
                String why = ExecutionException.reason(e);
                ExecutionException failure = new ExecutionException(device(), where, why, e);
                run.control().fail(failure);
                throw failure;
            }
            if (GradientSync.recordsItself(in) || UnitGathers.recordsItself(in)) {
                continue;
            }
            long[] span = tensorSpans.span(list, i, start, run.ticker().nanos());
            run.record(new Span(device(), step, i, in, run.seconds(span[0]), run.seconds(span[1])), state.ledger.takeWindowPeak(),
                    state.ledger.liveBytes());
        }
        passes.releaseLeftovers();
        if (gathers.isPresent()) {
            try {
                gathers.get().clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunControl.Aborted();
            }
        }
        return program.tensorRank() == 0 ? passes.loss() : 0;
    }

    private void execute(int step, int index, Instruction in) throws InterruptedException {
        if (in instanceof Compute c) {
            try (MemoryWorkspace scratch = Scratch.open()) {
                if (c.startsPass()) {
                    passes.arena().begin();
                }
                // ZeRO stage 3: a weight pass reads no parameters (PlanSupport), so it runs with none gathered
                Map<String, INDArray> params = gathers.isEmpty() ? state.compute
                        : c.direction() == Direction.WEIGHT_GRADIENT ? Map.of() : gathers.get().parameters(c.stage(), c.part());
                switch (c.direction()) {
                    case FORWARD -> passes.forward(c, params, scratch);
                    case BACKWARD, INPUT_GRADIENT -> passes.backward(c, params, scratch, completed(c.stage(), c.microBatch()),
                            gathers.map(g -> g.forRecompute(step, c.stage(), c.microBatch())).orElse(UnitParameters.NONE));
                    case WEIGHT_GRADIENT -> passes.weightGradients(c.stage(), c.microBatch(), params, scratch,
                            completed(c.stage(), c.microBatch()));
                }
                if (gathers.isPresent() && c.direction() != Direction.WEIGHT_GRADIENT) {
                    gathers.get().release(c.stage(), c.part());
                }
                if (c.direction().releasesStash()) {
                    sync.passDone(c.stage());
                }
            }
        } else if (in instanceof Send s) {
            passes.send(s);
        } else if (in instanceof Recv r) {
            passes.receive(r);
        } else if (in instanceof BoundaryAllGather b) {
            passes.gather(step, b);
        } else if (in instanceof Free f) {
            passes.free(f.stage(), f.microBatch());
        } else if (in instanceof AllReduce a) {
            sync.allReduce(step, index, a, a.overlapsBackward() ? passes.chunk(a.stage()).model().gradientsCompletedBy() : Map.of());
        } else if (in instanceof ReduceScatter rs) {
            sync.reduceScatter(step, index, rs, rs.overlapsBackward() ? passes.chunk(rs.stage()).model().gradientsCompletedBy() : Map.of());
        } else if (in instanceof AllGather g && g.unit() >= 0) {
            gathers.orElseThrow(() -> new IllegalStateException(g.name() + " on a device that holds its parameters whole"))
                    .gather(step, index, g);
        } else if (in instanceof AllGather g) {
            sync.gatherParameters(step, g);
        } else if (in instanceof TensorCollective tc && tc.atStepEnd()) {
            sync.awaitOverlapped(); // the layer norms' gradients are read: their data-parallel buckets are done
            norms.reduce(tc.stage(), state);
        } else if (in instanceof TensorCollective || in instanceof ExpertAllToAll) {
            // nothing to run: the tensor-parallel collectives or expert exchanges ran in the compute before it, recorded here
        } else if (in instanceof ExpertAllReduce x) {
            sync.expertReduce(step, index, x);
        } else if (in instanceof OptimizerStep o) {
            optimizerStep(step, o);
        } else {
            throw new IllegalStateException("the executor does not run instruction " + in.name());
        }
    }

    /**
     * Updates the parameters of the instruction's stage. The first optimizer step of the device's program (which runs
     * once the overlapped reductions are done) decides (with every device) whether the step overflowed; the last one
     * updates the loss scale.
     */
    private void optimizerStep(int step, OptimizerStep o) throws InterruptedException {
        if (o == firstOptimizerStep) {
            overflow = state.lossScale.dynamicScaling()
                    && run.anyDevice("step " + step + " overflow", device(), state.gradientsOverflowed());
        }
        try (MemoryWorkspace scratch = Scratch.open()) {
            passes.arena().begin();
            state.update(sync.parametersOf(o.stage()), overflow, sync.shardsOf(o.stage()));
            passes.arena().account(scratch, state.ledger);
        }
        if (o == lastOptimizerStep) {
            state.lossScale.update(overflow);
        }
    }

    /** Tells the gradient collectives which of {@code stage}'s gradients an op's backward has completed. */
    private Consumer<String> completed(int stage, int mb) {
        Map<String, List<String>> by = passes.chunk(stage).model().gradientsCompletedBy();
        return op -> {
            try {
                sync.completed(step, stage, mb, by.getOrDefault(op, List.of()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunControl.Aborted();
            }
        };
    }

    /** The worker's communication and gather threads started so far. */
    List<Thread> sideThreads() {
        return threads.threads();
    }

    /** Stops the worker's communication and gather threads. */
    @Override
    public void close() {
        threads.close();
    }
}
