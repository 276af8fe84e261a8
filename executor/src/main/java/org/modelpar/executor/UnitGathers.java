package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.GatherOrder;
import org.modelpar.executor.model.StageModel;
import org.modelpar.executor.model.UnitParameters;
import org.modelpar.simulator.cost.ZeroSharding;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.Instruction;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ZeRO stage 3's parameters in use (Rajbhandari et al., "ZeRO", SC 2020, section 5.3; PyTorch FSDP, Zhao et al., VLDB
 * 2023, section 3.2): before a parameter unit's part of a forward or backward pass, its program all-gathers the
 * unit's parameters; the whole tensors live, counted as parameters in the device's ledger, until the unit's part has
 * run ({@link #release}). Every gather runs on the device's gather thread ({@link DeviceThreads.Role#GATHER}), in
 * program order: a unit's first gather is waited for at once, a prefetching one (the lowering places the next unit's
 * before the part ahead of it) runs while the worker computes that part, and the next unit's part waits for it. So at
 * most two units are held, the running one and the one prefetched ahead, as the simulator's memory model counts them
 * ({@link ZeroSharding#GATHERED_UNITS}); a gather that would hold a third fails the run. A unit is gathered in one
 * ring collective, as FSDP gathers a unit's flat parameter: each tensor is a flat vector of d equal ring chunks, chunk
 * r replica r's part ({@link ZeroShards}), and a ring step's message carries that chunk of every tensor of the unit
 * ({@code RingCollectives.allGather} of several vectors), so the gathered vector is the whole tensor (padded by
 * fewer than d elements), nothing is copied out of it, and the unit pays the ring's latencies once.
 */
final class UnitGathers {
    private final String device;
    private final DeviceState state;
    private final RunContext run;
    private final DeviceThreads threads;
    private final Map<Integer, StageModel> models;
    private final Map<List<Integer>, Held> held = new HashMap<>();
    /** Each stage's data-parallel group, from its gathers. */
    private final Map<Integer, List<String>> groups = new HashMap<>();
    /** The held prefetched units whose span is recorded. */
    private final Set<List<Integer>> recorded = new HashSet<>();

    /** A gathered unit: its whole parameters, the bytes of the gathered vectors they are views of, when it was done. */
    private record Unit(Map<String, INDArray> parameters, long bytes, long endNanos) {
    }

    /** A unit's gather, issued by instruction {@code index} of step {@code step} at {@code issuedNanos}. */
    private record Held(Future<Unit> unit, AllGather instruction, int step, int index, long issuedNanos) {
    }

    /**
     * @param models  the model chunk of each stage the device runs
     * @param threads the device's threads: the gathers run on its {@link DeviceThreads.Role#GATHER} one
     */
    UnitGathers(String device, DeviceState state, RunContext run, Map<Integer, StageModel> models, DeviceThreads threads) {
        this.device = device;
        this.state = state;
        this.run = run;
        this.models = Map.copyOf(models);
        this.threads = threads;
    }

    /**
     * Checks that {@code program} gathers every unit of each stage the device runs whose ops read parameters.
     *
     * @throws IllegalStateException naming the first unit without a gather
     */
    void checkGathered(DeviceProgram program) {
        models.forEach((stage, model) -> {
            for (int u = 0; u < model.units(); u++) {
                int unit = u;
                boolean gathered = program.instructions().stream().anyMatch(i -> i instanceof AllGather g && g.stage() == stage
                        && g.unit() == unit);
                if (!gathered && !model.unitParameters(u).isEmpty()) {
                    throw new IllegalStateException("the program of " + device + " gathers no parameters of unit " + u + " of stage "
                            + stage + ", whose ops read " + model.unitParameters(u));
                }
            }
        });
    }

    /** Whether {@code in}'s span is recorded when its unit's part waits for it ({@link #parameters}), not at issue. */
    static boolean recordsItself(Instruction in) {
        return in instanceof AllGather g && g.unit() >= 0 && g.prefetches();
    }

    /**
     * Runs {@code g}, instruction {@code index} of the program: all-gathers the parameters of its unit from the
     * replicas' parts on the gather thread; waits for it unless it prefetches.
     *
     * @throws IllegalStateException when the unit is still gathered, or two units already are
     */
    void gather(int step, int index, AllGather g) throws InterruptedException {
        gather(step, index, g, "step " + step + " " + g.name());
    }

    /** Runs {@code g} as a collective of id {@code id} (a re-gather for a recompute: {@code index} -1). */
    private void gather(int step, int index, AllGather g, String id) throws InterruptedException {
        List<Integer> key = List.of(g.stage(), g.unit());
        if (held.containsKey(key)) {
            throw new IllegalStateException(g.name() + ": unit " + g.unit() + " of stage " + g.stage() + " is still gathered");
        }
        if (held.size() >= ZeroSharding.GATHERED_UNITS) {
            throw new IllegalStateException(g.name() + " would hold more than " + ZeroSharding.GATHERED_UNITS + " units: units "
                    + held.keySet() + " (stage, unit) are gathered, and at most one is gathered ahead of the running one");
        }
        groups.put(g.stage(), g.group());
        long issued = run.ticker().nanos();
        Held h = new Held(threads.of(DeviceThreads.Role.GATHER).submit(() -> gatherNow(id, g)), g, step, index, issued);
        held.put(key, h);
        if (!g.prefetches()) {
            await(h);
        }
    }

    /**
     * The units of {@code stage} that a backward part of micro-batch {@code mb} re-gathers to rebuild a recompute
     * segment over several units ({@link GatherOrder#recompute}): each gather runs on the gather thread, after those
     * issued before it, and is waited for; it is part of the compute instruction, and recorded in its span.
     */
    UnitParameters forRecompute(int step, int stage, int mb) {
        return new UnitParameters() {
            @Override
            public Set<Integer> held() {
                Set<Integer> out = new HashSet<>();
                held.keySet().stream().filter(k -> k.get(0) == stage).forEach(k -> out.add(k.get(1)));
                return out;
            }

            @Override
            public void gather(int unit) {
                AllGather g = new AllGather(stage, groups.get(stage), 0, AllGather.Phase.BACKWARD, mb, unit, false);
                uninterrupted(() -> {
                    UnitGathers.this.gather(step, -1, g, "step " + step + " recompute " + g.name());
                    return null;
                });
            }

            @Override
            public Map<String, INDArray> parameters(int unit) {
                return uninterrupted(() -> UnitGathers.this.parameters(stage, unit));
            }

            @Override
            public void release(int unit) {
                uninterrupted(() -> {
                    UnitGathers.this.release(stage, unit);
                    return null;
                });
            }
        };
    }

    /** A wait of the worker's thread, interrupted only when the run stops. */
    @FunctionalInterface
    private interface Wait<T> {
        T get() throws InterruptedException;
    }

    private static <T> T uninterrupted(Wait<T> wait) {
        try {
            return wait.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunControl.Aborted();
        }
    }

    /** All-gathers {@code g}'s unit, its tensors in one ring (on the gather thread). */
    private Unit gatherNow(String id, AllGather g) throws InterruptedException {
        ZeroShards shards = new ZeroShards(g.group().indexOf(device), g.group().size());
        Map<String, INDArray> whole = new LinkedHashMap<>();
        List<INDArray> flats = new ArrayList<>();
        long bytes = 0;
        for (String name : models.get(g.stage()).unitParameters(g.unit())) {
            long[] shape = state.shapes.get(name);
            long length = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            INDArray flat;
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                flat = Nd4j.zeros(state.computeType, -Math.floorDiv(-length, shards.replicas()) * shards.replicas());
            }
            state.ledger.allocate(MemoryCategory.PARAMETERS, Tensors.bytes(flat));
            bytes += Tensors.bytes(flat);
            INDArray part = state.compute.get(name);
            if (part != null) {
                long from = g.group().indexOf(device) * (flat.length() / shards.replicas());
                flat.get(NDArrayIndex.interval(from, from + part.length())).assign(part);
            }
            flats.add(flat);
            whole.put(name, flat.get(NDArrayIndex.interval(0, length)).reshape(shape));
        }
        if (!flats.isEmpty()) {
            run.collectives().allGather(id, device, g.group(), flats, run.control());
        }
        return new Unit(whole, bytes, run.ticker().nanos());
    }

    /**
     * The whole parameters of unit {@code unit} of {@code stage}, waiting for their gather; a prefetched gather's span
     * is recorded now, from its instruction to its end.
     *
     * @throws IllegalStateException when they are not gathered
     */
    Map<String, INDArray> parameters(int stage, int unit) throws InterruptedException {
        Held h = held.get(List.of(stage, unit));
        if (h == null) {
            if (models.get(stage).unitParameters(unit).isEmpty()) {
                return Map.of();
            }
            throw new IllegalStateException("unit " + unit + " of stage " + stage + " runs without its parameters gathered");
        }
        Unit u = await(h);
        if (recordsItself(h.instruction()) && recorded.add(List.of(stage, unit))) {
            run.record(new Span(device, h.step(), h.index(), h.instruction(), run.seconds(h.issuedNanos()),
                    run.seconds(u.endNanos())), state.ledger.liveBytes(), state.ledger.liveBytes());
        }
        return u.parameters();
    }

    private Unit await(Held h) throws InterruptedException {
        try {
            return h.unit().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof InterruptedException i) {
                throw i;
            }
            throw new IllegalStateException(h.instruction().name() + " failed: " + cause, cause);
        }
    }

    /** Frees the whole parameters of unit {@code unit} of {@code stage}, if gathered. */
    void release(int stage, int unit) throws InterruptedException {
        Held h = held.remove(List.of(stage, unit));
        if (h != null) {
            recorded.remove(List.of(stage, unit));
            state.ledger.release(MemoryCategory.PARAMETERS, await(h).bytes());
        }
    }

    /** Frees every gathered unit (the end of a step). */
    void clear() throws InterruptedException {
        for (List<Integer> k : List.copyOf(held.keySet())) {
            release(k.get(0), k.get(1));
        }
    }
}
