package org.modelpar.executor;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.model.Stash;
import org.modelpar.executor.transport.Message;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Free;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.program.OptimizerStep;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.program.TensorCollective;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Interprets one device's instruction list for one step, in program order. Sends hand their tensors to
 * the run's transport, which copies them into the receiver's bounded mailbox; receives block until the
 * matching message arrives; all-reduces are ring collectives over the same transport. Sample ranges: a
 * stage with d replicas gives replica r the samples
 * {@code [r b / d, (r + 1) b / d)} of each micro-batch of b samples; a message's first sample counts
 * from the start of its micro-batch.
 */
final class DeviceWorker {
    private final DeviceProgram program;
    private final StageModel model;
    private final Boundary boundary;
    private final DeviceState state;
    private final RunContext run;
    private final int microBatchSize;
    private final int localFirst;
    private final int localCount;
    private final Recompute recompute;
    private final DataType dataType;
    private final Map<String, Integer> sendsPerMessage = new HashMap<>();

    private final Map<Integer, Stash> stash = new HashMap<>();
    private final Map<String, Map<String, INDArray>> toSend = new HashMap<>();
    private final Map<String, Integer> sendsLeft = new HashMap<>();
    private final Map<String, Long> heldBytes = new HashMap<>();
    private final ArrayPool pool = new ArrayPool();
    private final KernelArena arena = new KernelArena(pool);
    private final Inbox inbox;
    private Batch batch;
    private double loss;

    DeviceWorker(DeviceProgram program, StageModel model, Boundary boundary, DeviceState state, RunContext run,
                 int microBatchSize, int replicas, Recompute recompute, DataType dataType) {
        this.program = program;
        this.model = model;
        this.boundary = boundary;
        this.state = state;
        this.run = run;
        this.microBatchSize = microBatchSize;
        this.localCount = microBatchSize / replicas;
        this.localFirst = program.replica() * localCount;
        this.inbox = new Inbox(state.ledger, run.transport(), localFirst, localCount);
        this.recompute = recompute;
        this.dataType = dataType;
        for (Instruction i : program.instructions()) {
            if (i instanceof Send s) {
                sendsPerMessage.merge(key(s.payload(), s.microBatch()), 1, Integer::sum);
            }
        }
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
        this.batch = stepBatch;
        this.loss = 0;
        List<Instruction> list = program.instructions();
        for (int i = 0; i < list.size(); i++) {
            Instruction in = list.get(i);
            run.control().check();
            long start = run.ticker().nanos();
            try {
                run.hook().beforeInstruction(device(), step, i, in);
                execute(step, in);
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
            long end = run.ticker().nanos();
            run.record(new Span(device(), step, i, in, run.seconds(start), run.seconds(end)), state.ledger.takeWindowPeak(),
                    state.ledger.liveBytes());
        }
        releaseLeftovers();
        return program.tensorRank() == 0 ? loss : 0;
    }

    private void execute(int step, Instruction in) throws InterruptedException {
        if (in instanceof Compute c) {
            try (MemoryWorkspace scratch = Scratch.open()) {
                arena.begin();
                if (c.direction() == Direction.FORWARD) {
                    forward(c.microBatch(), scratch);
                } else {
                    backward(c.microBatch(), scratch);
                }
            }
        } else if (in instanceof Send s) {
            send(s);
        } else if (in instanceof Recv r) {
            receive(r);
        } else if (in instanceof Free f) {
            free(f.microBatch());
        } else if (in instanceof AllReduce a) {
            allReduce(step, a);
        } else if (in instanceof TensorCollective) {
            // nothing to do: the tensor-parallel collectives ran inside the preceding compute
        } else if (in instanceof OptimizerStep) {
            boolean overflow = state.lossScale.dynamicScaling()
                    && run.anyDevice("step " + step + " overflow", device(), state.gradientsOverflowed());
            try (MemoryWorkspace scratch = Scratch.open()) {
                arena.begin();
                state.step(overflow);
                arena.account(scratch, state.ledger);
            }
        }
    }

    private void forward(int mb, MemoryWorkspace scratch) {
        Map<String, INDArray> inputs = model.received().isEmpty() ? Map.of() : inbox.assemble(Payload.ACTIVATION, mb);
        long first = (long) mb * microBatchSize + localFirst;
        INDArray data = rowsOf(batch.inputs(), first);
        INDArray targets = rowsOf(batch.targets(), first);
        StageModel.ForwardResult r = model.forward(inputs, data, targets, localCount, state.compute, recompute, arena);
        arena.account(scratch, state.ledger);
        Stash s = r.stash();
        state.ledger.allocate(MemoryCategory.ACTIVATIONS, s.bytes());
        stash.put(mb, s);
        loss += r.loss();
        hold(Payload.ACTIVATION, mb, r.outputs());
    }

    private void backward(int mb, MemoryWorkspace scratch) {
        Stash s = Objects.requireNonNull(stash.get(mb), () -> "no stashed forward of micro-batch " + mb);
        Map<String, INDArray> outGrads = model.sent().isEmpty() ? new HashMap<>() : inbox.assemble(Payload.GRADIENT, mb);
        if (state.lossScale.dynamicScaling()) {
            model.lossOp().ifPresent(op -> outGrads.put(op, Nd4j.scalar(state.lossScale.value()).castTo(dataType).reshape(1, 1)));
        }
        Map<String, INDArray> inputGrads = model.backward(s, outGrads, state.compute, state.grads, arena);
        arena.account(scratch, state.ledger);
        // what the kernels saved is dead after backward (as autograd frees it); the inputs stay until Free
        Stash inputsOnly = s.inputsOnly();
        state.ledger.release(MemoryCategory.ACTIVATIONS, s.bytes() - inputsOnly.bytes());
        stash.put(mb, inputsOnly);
        hold(Payload.GRADIENT, mb, inputGrads);
        pool.release(s.arrays(), live());
    }

    private void hold(Payload payload, int mb, Map<String, INDArray> tensors) {
        String k = key(payload, mb);
        Integer sends = sendsPerMessage.get(k);
        if (sends == null || tensors.isEmpty()) {
            return;
        }
        state.ledger.allocate(MemoryCategory.ACTIVATIONS, bytes(tensors));
        toSend.put(k, tensors);
        heldBytes.put(k, bytes(tensors));
        sendsLeft.put(k, sends);
    }

    private void send(Send s) throws InterruptedException {
        String k = key(s.payload(), s.microBatch());
        Map<String, INDArray> all = toSend.get(k);
        if (all == null) {
            throw new IllegalStateException("nothing computed to send for " + s.payload() + " of micro-batch " + s.microBatch());
        }
        int offset = s.firstSample() - localFirst;
        if (offset < 0 || offset + s.sampleCount() > localCount) {
            throw new IllegalStateException("samples [" + s.firstSample() + ", " + (s.firstSample() + s.sampleCount())
                    + ") are not among this device's [" + localFirst + ", " + (localFirst + localCount) + ")");
        }
        List<String> names = s.payload() == Payload.ACTIVATION ? boundary.between(s.stage(), s.toStage())
                : boundary.between(s.toStage(), s.stage());
        Map<String, INDArray> part = new LinkedHashMap<>();
        for (String name : names) {
            INDArray t = all.get(name);
            long rowsPerSample = t.size(0) / localCount;
            part.put(name, Tensors.rowsView(t, offset * rowsPerSample, s.sampleCount() * rowsPerSample));
        }
        long bytes = bytes(part);
        // the message is the output buffer in transit: its bytes move from the held outputs to messages
        long moved = Math.min(bytes, heldBytes.get(k));
        heldBytes.merge(k, -moved, Long::sum);
        state.ledger.release(MemoryCategory.ACTIVATIONS, moved);
        state.ledger.allocate(MemoryCategory.MESSAGES, bytes);
        Message.Key key = new Message.Key(device(), s.peer(), Inbox.tag(s.payload(), s.stage(), s.toStage(), s.microBatch(), s.firstSample()));
        run.transport().send(new Message(key, part, () -> state.ledger.release(MemoryCategory.MESSAGES, bytes)), run.control());
        if (sendsLeft.merge(k, -1, Integer::sum) == 0) {
            state.ledger.release(MemoryCategory.ACTIVATIONS, heldBytes.remove(k));
            toSend.remove(k);
            sendsLeft.remove(k);
            pool.release(all.values(), live());
        }
    }

    private void receive(Recv r) throws InterruptedException {
        Message.Key key = new Message.Key(r.peer(), device(), Inbox.tag(r.payload(), r.fromStage(), r.stage(), r.microBatch(), r.firstSample()));
        inbox.add(r, run.transport().receive(key, run.control()));
    }

    private void free(int mb) {
        Stash s = stash.remove(mb);
        if (s != null) {
            state.ledger.release(MemoryCategory.ACTIVATIONS, s.bytes());
            pool.release(s.arrays(), live());
        }
        inbox.free(mb, live());
    }

    private void allReduce(int step, AllReduce a) throws InterruptedException {
        if (!a.tiedOp().isEmpty()) {
            tiedReduce(step, a);
            return;
        }
        run.collectives().allReduce("step " + step + " " + a.name(), device(), a.group(), state.grads, run.control());
    }

    /** Adds the gradients of {@code a.tiedOp()}'s weights held by several stages: one summand per stage, zeros from the rest. */
    private void tiedReduce(int step, AllReduce a) throws InterruptedException {
        for (RunContext.Tied tied : run.tiedGroups(device())) {
            if (!tied.parameter().startsWith(a.tiedOp() + ".")) {
                continue;
            }
            if (!Set.copyOf(tied.members()).equals(Set.copyOf(a.group()))) {
                throw new IllegalStateException(a.name() + " runs over " + a.group() + " but " + tied.parameter()
                        + " is held by " + tied.members());
            }
            INDArray grad = state.grads.get(tied.parameter());
            run.collectives().allReduce("step " + step + " tied " + tied.parameter(), device(), tied.members(),
                    Map.of(tied.parameter(), tied.summands().contains(device()) ? grad : grad.assign(0)), run.control());
        }
    }

    private void releaseLeftovers() {
        stash.keySet().stream().toList().forEach(this::free);
        heldBytes.values().forEach(b -> state.ledger.release(MemoryCategory.ACTIVATIONS, b));
        heldBytes.clear();
        toSend.clear();
        sendsLeft.clear();
        inbox.clear();
        pool.releaseAll();
    }

    /** Arrays still referenced by a stash or held for sending (never returned to the pool). */
    private Set<INDArray> live() {
        Set<INDArray> out = Collections.newSetFromMap(new IdentityHashMap<>());
        stash.values().forEach(s -> out.addAll(s.arrays()));
        toSend.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** This device's rows of a batch array: a view when the type already matches (kernels never write inputs). */
    private INDArray rowsOf(INDArray all, long first) {
        INDArray rows = Tensors.rowsView(all, first, localCount);
        return rows.dataType() == dataType ? rows : rows.castTo(dataType);
    }

    private static String key(Payload payload, int mb) {
        return payload.shortName() + mb;
    }

    private static long bytes(Map<String, INDArray> tensors) {
        return tensors.values().stream().mapToLong(Tensors::bytes).sum();
    }
}
