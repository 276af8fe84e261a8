package org.modelpar.executor;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.BackwardPass;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.ForwardPass;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.model.Stash;
import org.modelpar.executor.model.UnitParameters;
import org.modelpar.executor.model.WeightStash;
import org.modelpar.executor.transport.Message;
import org.modelpar.simulator.program.BoundaryAllGather;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A device's passes over its model chunks in one step: forward, backward (whole or its input-gradient part) and
 * weight-gradient passes, each run whole or (ZeRO stage 3) unit by unit in one instruction per unit, with what they keep between instructions ({@link Stashes}), the boundary tensors they
 * receive ({@link Inbox}) and send ({@link Outbox}), and the pool their kept arrays come from. Sample ranges: a
 * stage with d replicas gives replica r the samples {@code [r b / d, (r + 1) b / d)} of each micro-batch of b
 * samples; a message's first sample counts from the start of its micro-batch. Used by its worker's thread only.
 */
final class ChunkPasses {
    private final String device;
    private final Map<Integer, DeviceWorker.Chunk> chunks;
    private final DeviceState state;
    private final RunContext run;
    private final int microBatchSize;
    private final int localFirst;
    private final int localCount;
    private final DataType dataType;
    private final Stashes stashes;
    private final ArrayPool pool = new ArrayPool();
    private final KernelArena arena;
    private final Inbox inbox;
    private final Outbox outbox;
    /** Passes run in parts (ZeRO stage 3) between their first and last part, by stage and micro-batch. */
    private final Map<List<Integer>, ForwardPass> forwards = new HashMap<>();
    private final Map<List<Integer>, BackwardPass> backwards = new HashMap<>();
    private Batch batch;
    private double loss;

    ChunkPasses(DeviceProgram program, Map<Integer, DeviceWorker.Chunk> chunks, Boundary boundary, DeviceState state,
                RunContext run, int microBatchSize, int replicas, DataType dataType, MessageScatter scatter) {
        this.device = program.device();
        this.chunks = Map.copyOf(chunks);
        this.state = state;
        this.run = run;
        this.microBatchSize = microBatchSize;
        this.localCount = microBatchSize / replicas;
        this.localFirst = program.replica() * localCount;
        this.dataType = dataType;
        this.stashes = new Stashes(state.ledger);
        this.arena = new KernelArena(pool, state.ledger);
        this.inbox = new Inbox(state.ledger, run.transport(), localFirst, localCount, scatter);
        this.outbox = new Outbox(device, program.instructions(), boundary, state.ledger, run, localFirst, localCount, scatter);
    }

    /** Starts a step on {@code stepBatch}: the loss share starts at 0. */
    void begin(Batch stepBatch) {
        this.batch = stepBatch;
        this.loss = 0;
    }

    /** This device's share of the step's loss so far. */
    double loss() {
        return loss;
    }

    /** The arena kernel calls run in (its {@link KernelArena#begin} starts measuring an instruction). */
    KernelArena arena() {
        return arena;
    }

    /** Buffers the pool has allocated (read between steps only). */
    long pooledAllocations() {
        return pool.allocations();
    }

    /**
     * Runs {@code c}, a forward pass or one unit's part of it, reading {@code params}: its first part starts the pass
     * on the received inputs and the micro-batch's rows, its last keeps the stash and holds the outputs for sending.
     */
    void forward(Compute c, Map<String, INDArray> params, MemoryWorkspace scratch) {
        int stage = c.stage();
        int mb = c.microBatch();
        DeviceWorker.Chunk chunk = chunk(stage);
        StageModel model = chunk.model();
        if (c.startsPass()) {
            Map<String, INDArray> inputs = model.received().isEmpty() ? Map.of() : inbox.assemble(Payload.ACTIVATION, stage, mb);
            long first = (long) mb * microBatchSize + localFirst;
            forwards.put(List.of(stage, mb), model.startForward(inputs, rowsOf(batch.inputs(), first), rowsOf(batch.targets(), first),
                    localCount, chunk.recompute(), arena));
        }
        ForwardPass pass = open(forwards, c);
        if (c.parts() == 1) {
            pass.runAll(params);
        } else {
            pass.run(c.part(), params);
        }
        Optional<StageModel.ForwardResult> done = c.endsPass() ? Optional.of(pass.finish()) : Optional.empty();
        arena.account(scratch, state.ledger);
        done.ifPresent(r -> {
            forwards.remove(List.of(stage, mb));
            stashes.put(stage, mb, r.stash());
            loss += r.loss();
            outbox.hold(Payload.ACTIVATION, stage, mb, r.outputs());
        });
    }

    /**
     * Runs {@code c}, the backward of a micro-batch or its input-gradient part (a split backward), or one unit's part
     * of either, reading {@code params}. The input-gradient part keeps what the weight-gradient part needs
     * ({@link WeightStash}, counted as activations) until it runs.
     *
     * @param completed told each op whose parameter gradients the backward has just added
     * @param regather  where a part re-gathers the units of a recompute segment over several units (ZeRO stage 3)
     */
    void backward(Compute c, Map<String, INDArray> params, MemoryWorkspace scratch, Consumer<String> completed,
                  UnitParameters regather) {
        int stage = c.stage();
        int mb = c.microBatch();
        StageModel model = chunk(stage).model();
        if (c.startsPass()) {
            Map<String, INDArray> outGrads = model.sent().isEmpty() ? new HashMap<>() : inbox.assemble(Payload.GRADIENT, stage, mb);
            if (state.lossScale.dynamicScaling()) {
                model.lossOp().ifPresent(op -> outGrads.put(op, Nd4j.scalar(state.lossScale.value()).castTo(dataType).reshape(1, 1)));
            }
            boolean whole = c.direction() == Direction.BACKWARD;
            backwards.put(List.of(stage, mb), model.startBackward(stashes.get(stage, mb), outGrads, whole ? state.grads : null, arena,
                    whole ? completed : op -> { }, regather));
        }
        BackwardPass pass = open(backwards, c);
        if (c.parts() == 1) {
            pass.runAll(params);
        } else {
            pass.run(c.part(), params);
        }
        Optional<Map<String, INDArray>> inputGrads = c.endsPass() ? Optional.of(pass.finish()) : Optional.empty();
        arena.account(scratch, state.ledger);
        inputGrads.ifPresent(grads -> {
            backwards.remove(List.of(stage, mb));
            Stash s = stashes.get(stage, mb);
            // what the kernels saved is dead after backward (as autograd frees it); the inputs stay until Free
            stashes.keepInputsOnly(stage, mb);
            if (c.direction() == Direction.INPUT_GRADIENT) {
                stashes.putWeights(stage, mb, pass.weights());
            }
            outbox.hold(Payload.GRADIENT, stage, mb, grads);
            pool.release(s.arrays(), live());
        });
    }

    /** The pass {@code c} continues. */
    private static <P> P open(Map<List<Integer>, P> passes, Compute c) {
        P pass = passes.get(List.of(c.stage(), c.microBatch()));
        if (pass == null) {
            throw new IllegalStateException(c.name() + " continues a pass that has not started");
        }
        return pass;
    }

    /**
     * The weight-gradient part of a split backward, from what its input-gradient part kept, reading {@code params}
     * (none under ZeRO stage 3, whose kernels' weight passes read no parameters).
     */
    void weightGradients(int stage, int mb, Map<String, INDArray> params, MemoryWorkspace scratch, Consumer<String> completed) {
        WeightStash w = stashes.takeWeights(stage, mb);
        chunk(stage).model().weightGradients(w, params, state.grads, arena, completed);
        arena.account(scratch, state.ledger);
        pool.release(w.arrays(), live());
    }

    void send(Send s) throws InterruptedException {
        outbox.send(s, pool, this::live);
    }

    void receive(Recv r) throws InterruptedException {
        String tag = Inbox.tag(r.payload(), r.fromStage(), r.stage(), r.microBatch(), r.firstSample());
        inbox.add(r, run.transport().receive(new Message.Key(r.peer(), device, tag), run.control()));
    }

    void gather(int step, BoundaryAllGather b) throws InterruptedException {
        inbox.gather(b, "step " + step + " " + b.name(), device, run);
    }

    DeviceWorker.Chunk chunk(int stage) {
        DeviceWorker.Chunk c = chunks.get(stage);
        if (c == null) {
            throw new IllegalStateException("device " + device + " runs no model chunk of stage " + stage
                    + " (it runs stages " + chunks.keySet() + ")");
        }
        return c;
    }

    void free(int stage, int mb) {
        pool.release(stashes.free(stage, mb), live());
        inbox.free(stage, mb, live());
    }

    /** Drops what the step left behind. */
    void releaseLeftovers() {
        forwards.clear();
        backwards.clear();
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
