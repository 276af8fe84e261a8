package org.modelpar.executor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.StageModel;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.DeviceProgram;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ZeRO stage 3's parameters in use (Rajbhandari et al., "ZeRO", SC 2020, section 5.3; PyTorch FSDP, Zhao et al., VLDB
 * 2023, section 3.2): before a parameter unit's part of a forward or backward pass, its program all-gathers the
 * unit's parameters (the one ahead is prefetched, so two units may be held at once); the whole tensors live, counted
 * as parameters in the device's ledger, until the unit's part has run ({@link #release}). Each tensor is gathered
 * on its own, as one flat vector of d equal ring chunks, chunk r replica r's part ({@link ZeroShards}), so that the
 * gathered vector is the whole tensor (padded by fewer than d elements) and nothing is copied out of it.
 */
final class UnitGathers {
    private final String device;
    private final DeviceState state;
    private final RunContext run;
    private final Map<Integer, StageModel> models;
    private final Map<List<Integer>, Unit> held = new HashMap<>();

    /** A gathered unit: its whole parameters, and the bytes of the gathered vectors they are views of. */
    private record Unit(Map<String, INDArray> parameters, long bytes) {
    }

    /** @param models the model chunk of each stage the device runs */
    UnitGathers(String device, DeviceState state, RunContext run, Map<Integer, StageModel> models) {
        this.device = device;
        this.state = state;
        this.run = run;
        this.models = Map.copyOf(models);
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

    /** Runs {@code g}: all-gathers the parameters of its unit from the replicas' parts. */
    void gather(int step, AllGather g) throws InterruptedException {
        List<Integer> key = List.of(g.stage(), g.unit());
        if (held.containsKey(key)) {
            throw new IllegalStateException(g.name() + ": unit " + g.unit() + " of stage " + g.stage() + " is still gathered");
        }
        ZeroShards shards = new ZeroShards(g.group().indexOf(device), g.group().size());
        Map<String, INDArray> whole = new LinkedHashMap<>();
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
            run.collectives().allGather("step " + step + " " + g.name() + " " + name, device, g.group(), flat, run.control());
            whole.put(name, flat.get(NDArrayIndex.interval(0, length)).reshape(shape));
        }
        held.put(key, new Unit(whole, bytes));
    }

    /**
     * The whole parameters of unit {@code unit} of {@code stage}.
     *
     * @throws IllegalStateException when they are not gathered
     */
    Map<String, INDArray> parameters(int stage, int unit) {
        Unit p = held.get(List.of(stage, unit));
        if (p == null) {
            if (models.get(stage).unitParameters(unit).isEmpty()) {
                return Map.of();
            }
            throw new IllegalStateException("unit " + unit + " of stage " + stage + " runs without its parameters gathered");
        }
        return p.parameters();
    }

    /** Frees the whole parameters of unit {@code unit} of {@code stage}, if gathered. */
    void release(int stage, int unit) {
        Unit p = held.remove(List.of(stage, unit));
        if (p != null) {
            state.ledger.release(MemoryCategory.PARAMETERS, p.bytes());
        }
    }

    /** Frees every gathered unit (the end of a step, or a failed one). */
    void clear() {
        List.copyOf(held.keySet()).forEach(k -> release(k.get(0), k.get(1)));
    }
}
