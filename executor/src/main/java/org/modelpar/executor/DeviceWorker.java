package org.modelpar.executor;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.model.Stash;
import org.modelpar.executor.model.WeightStash;
import org.modelpar.executor.transport.Message;
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
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.ReduceScatter;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Interprets one device's instruction list for one step, in program order. The device runs one model chunk
 * per stage its program names (one stage, or with the interleaved schedule v of them), each pass on the chunk
 * of its instruction's stage. Sends hand their tensors to the run's transport ({@link Outbox}), also between
 * two chunks of this device; receives block until the matching message arrives ({@link Inbox}); gradient
 * collectives run over the same transport ({@link GradientSync}). Sample ranges: a stage with d replicas
 * gives replica r the samples {@code [r b / d, (r + 1) b / d)} of each micro-batch of b samples; a message's
 * first sample counts from the start of its micro-batch.
 */
final class DeviceWorker implements AutoCloseable {
    /** A model chunk of this device: the stage's ops and what its stash leaves to recomputation. */
    record Chunk(StageModel model, Recompute recompute) {
    }

    private final DeviceProgram program;
    private final Map<Integer, Chunk> chunks;
    private final CollectiveClock.Spans tensorSpans;
    private final DeviceState state;
    private final RunContext run;
    private final int microBatchSize;
    private final int localFirst;
    private final int localCount;
    private final DataType dataType;
    private final Stashes stashes;
    private final ArrayPool pool = new ArrayPool();
    private final KernelArena arena = new KernelArena(pool);
    private final Inbox inbox;
    private final Outbox outbox;
    private final GradientSync sync;
    private final OptimizerStep firstOptimizerStep;
    private final OptimizerStep lastOptimizerStep;
    private int step;
    private Batch batch;
    private double loss;
    private boolean overflow;

    DeviceWorker(DeviceProgram program, Map<Integer, Chunk> chunks, CollectiveClock tensorClock, Boundary boundary,
                 DeviceState state, RunContext run, int microBatchSize, int replicas, DataType dataType, MessageScatter scatter) {
        this.program = program;
        this.chunks = Map.copyOf(chunks);
        this.tensorSpans = new CollectiveClock.Spans(tensorClock);
        this.state = state;
        this.run = run;
        this.microBatchSize = microBatchSize;
        this.localCount = microBatchSize / replicas;
        this.localFirst = program.replica() * localCount;
        this.stashes = new Stashes(state.ledger);
        this.inbox = new Inbox(state.ledger, run.transport(), localFirst, localCount, scatter);
        this.outbox = new Outbox(device(), program.instructions(), boundary, state.ledger, run, localFirst, localCount, scatter);
        this.sync = new GradientSync(program.device(), state, run, StageOwners.of(chunks.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().model().parameters()))),
                chunks.values().stream().flatMap(c -> c.model().splitExpertParameters().stream()).collect(Collectors.toSet()));
        this.dataType = dataType;
        chunks.forEach((stage, chunk) -> UnitBuckets.of(program, stage, boundary.ops(stage),
                chunk.model().gradientsCompletedBy(), sync.parametersOf(stage)).ifPresent(b -> sync.reducePerUnit(stage, b)));
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
        return pool.allocations();
    }

    /** Runs the program for one step; returns this device's share of the loss (0 on tensor ranks above 0). */
    double runStep(int step, Batch stepBatch) {
        this.step = step;
        this.batch = stepBatch;
        this.loss = 0;
        List<Instruction> list = program.instructions();
        for (int i = 0; i < list.size(); i++) {
            Instruction in = list.get(i);
            run.control().check();
            long start = run.ticker().nanos();
            try {
                run.hook().beforeInstruction(device(), step, i, in);
                execute(step, i, in);
            } catch (RunControl.Aborted e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunControl.Aborted();
            } catch (RuntimeException | Error e) {
                String where = "step " + step + " instruction " + i + " '" + in.name() + "'";
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                ExecutionException failure = new ExecutionException(device(), where, why, e);
                run.control().fail(failure);
                throw failure;
            }
            if (GradientSync.recordsItself(in)) {
                continue;
            }
            long[] span = tensorSpans.span(list, i, start, run.ticker().nanos());
            run.record(new Span(device(), step, i, in, run.seconds(span[0]), run.seconds(span[1])), state.ledger.takeWindowPeak(),
                    state.ledger.liveBytes());
        }
        releaseLeftovers();
        return program.tensorRank() == 0 ? loss : 0;
    }

    private void execute(int step, int index, Instruction in) throws InterruptedException {
        if (in instanceof Compute c) {
            try (MemoryWorkspace scratch = Scratch.open()) {
                arena.begin();
                switch (c.direction()) {
                    case FORWARD -> forward(c.stage(), c.microBatch(), scratch);
                    case BACKWARD, INPUT_GRADIENT -> backward(c.stage(), c.microBatch(), c.direction(), scratch);
                    case WEIGHT_GRADIENT -> weightGradients(c.stage(), c.microBatch(), scratch);
                }
                if (c.direction().releasesStash()) {
                    sync.passDone(c.stage());
                }
            }
        } else if (in instanceof Send s) {
            outbox.send(s, pool, this::live);
        } else if (in instanceof Recv r) {
            String tag = Inbox.tag(r.payload(), r.fromStage(), r.stage(), r.microBatch(), r.firstSample());
            inbox.add(r, run.transport().receive(new Message.Key(r.peer(), device(), tag), run.control()));
        } else if (in instanceof BoundaryAllGather b) {
            inbox.gather(b, "step " + step + " " + b.name(), device(), run);
        } else if (in instanceof Free f) {
            free(f.stage(), f.microBatch());
        } else if (in instanceof AllReduce a) {
            sync.allReduce(step, index, a, a.overlapsBackward() ? chunk(a.stage()).model().gradientsCompletedBy() : Map.of());
        } else if (in instanceof ReduceScatter rs) {
            sync.reduceScatter(step, index, rs, rs.overlapsBackward() ? chunk(rs.stage()).model().gradientsCompletedBy() : Map.of());
        } else if (in instanceof AllGather g) {
            sync.gatherParameters(step, g);
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

    private void forward(int stage, int mb, MemoryWorkspace scratch) {
        Chunk chunk = chunk(stage);
        StageModel model = chunk.model();
        Map<String, INDArray> inputs = model.received().isEmpty() ? Map.of() : inbox.assemble(Payload.ACTIVATION, stage, mb);
        long first = (long) mb * microBatchSize + localFirst;
        INDArray data = rowsOf(batch.inputs(), first);
        INDArray targets = rowsOf(batch.targets(), first);
        StageModel.ForwardResult r = model.forward(inputs, data, targets, localCount, state.compute, chunk.recompute(), arena);
        arena.account(scratch, state.ledger);
        stashes.put(stage, mb, r.stash());
        loss += r.loss();
        outbox.hold(Payload.ACTIVATION, stage, mb, r.outputs());
    }

    /**
     * The backward of a micro-batch, or its input-gradient part (a split backward), which keeps what the
     * weight-gradient part needs ({@link WeightStash}, counted as activations) until it runs.
     */
    private void backward(int stage, int mb, Direction direction, MemoryWorkspace scratch) {
        StageModel model = chunk(stage).model();
        Stash s = stashes.get(stage, mb);
        Map<String, INDArray> outGrads = model.sent().isEmpty() ? new HashMap<>() : inbox.assemble(Payload.GRADIENT, stage, mb);
        if (state.lossScale.dynamicScaling()) {
            model.lossOp().ifPresent(op -> outGrads.put(op, Nd4j.scalar(state.lossScale.value()).castTo(dataType).reshape(1, 1)));
        }
        Map<String, INDArray> inputGrads;
        Optional<WeightStash> weights = Optional.empty();
        if (direction == Direction.BACKWARD) {
            inputGrads = model.backward(s, outGrads, state.compute, state.grads, arena, completed(stage, mb));
        } else {
            StageModel.InputPass p = model.inputGradients(s, outGrads, state.compute, arena);
            weights = Optional.of(p.weights());
            inputGrads = p.inputGrads();
        }
        arena.account(scratch, state.ledger);
        // what the kernels saved is dead after backward (as autograd frees it); the inputs stay until Free
        stashes.keepInputsOnly(stage, mb);
        weights.ifPresent(w -> stashes.putWeights(stage, mb, w));
        outbox.hold(Payload.GRADIENT, stage, mb, inputGrads);
        pool.release(s.arrays(), live());
    }

    /** The weight-gradient part of a split backward, from what its input-gradient part kept. */
    private void weightGradients(int stage, int mb, MemoryWorkspace scratch) {
        WeightStash w = stashes.takeWeights(stage, mb);
        chunk(stage).model().weightGradients(w, state.compute, state.grads, arena, completed(stage, mb));
        arena.account(scratch, state.ledger);
        pool.release(w.arrays(), live());
    }

    /**
     * Updates the parameters of the instruction's stage. The first optimizer step of the device's program decides
     * (with every device) whether the step overflowed; the last one updates the loss scale.
     */
    private void optimizerStep(int step, OptimizerStep o) throws InterruptedException {
        if (o == firstOptimizerStep) {
            sync.awaitOverlapped();
            overflow = state.lossScale.dynamicScaling()
                    && run.anyDevice("step " + step + " overflow", device(), state.gradientsOverflowed());
        }
        try (MemoryWorkspace scratch = Scratch.open()) {
            arena.begin();
            state.update(sync.parametersOf(o.stage()), overflow, sync.shardsOf(o.stage()));
            arena.account(scratch, state.ledger);
        }
        if (o == lastOptimizerStep) {
            state.lossScale.update(overflow);
        }
    }

    /** Tells the gradient collectives which of {@code stage}'s gradients an op's backward has completed. */
    private Consumer<String> completed(int stage, int mb) {
        Map<String, List<String>> by = chunk(stage).model().gradientsCompletedBy();
        return op -> {
            try {
                sync.completed(step, stage, mb, by.getOrDefault(op, List.of()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RunControl.Aborted();
            }
        };
    }

    private Chunk chunk(int stage) {
        Chunk c = chunks.get(stage);
        if (c == null) {
            throw new IllegalStateException("device " + device() + " runs no model chunk of stage " + stage
                    + " (it runs stages " + chunks.keySet() + ")");
        }
        return c;
    }

    private void free(int stage, int mb) {
        pool.release(stashes.free(stage, mb), live());
        inbox.free(stage, mb, live());
    }

    /** Stops the worker's communication thread. */
    @Override
    public void close() {
        sync.close();
    }

    private void releaseLeftovers() {
        stashes.clearWeights();
        stashes.passes().forEach(k -> free(k.get(0), k.get(1)));
        outbox.clear();
        inbox.clear();
        pool.releaseAll();
    }

    /** Arrays still referenced by a stash or held for sending (never returned to the pool). */
    private Set<INDArray> live() {
        Set<INDArray> out = Collections.newSetFromMap(new IdentityHashMap<>());
        stashes.addArraysTo(out);
        outbox.held().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** This device's rows of a batch array: a view when the type already matches (kernels never write inputs). */
    private INDArray rowsOf(INDArray all, long first) {
        INDArray rows = Tensors.rowsView(all, first, localCount);
        return rows.dataType() == dataType ? rows : rows.castTo(dataType);
    }
}
