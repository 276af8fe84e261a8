package org.modelpar.executor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Shard;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.OpTimer;
import org.modelpar.executor.model.StageModel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which parameters, and which part of each, every device of a step program holds; puts whole tensors
 * together from the devices' parts (a checkpoint holds whole tensors whatever the plan) and cuts a device's
 * parts out of them. An optimizer-state tensor {@code param/...} is split as its parameter.
 */
public final class ParameterLayout {
    private final Map<String, Map<String, ParameterSpec>> byDevice = new LinkedHashMap<>();

    ParameterLayout(Map<String, List<ParameterSpec>> specs) {
        specs.forEach((device, list) -> {
            Map<String, ParameterSpec> named = new LinkedHashMap<>();
            list.forEach(s -> named.put(s.name(), s));
            byDevice.put(device, named);
        });
    }

    /** The layout of a step program, in program order (no collectives run); a device holds every model chunk's parameters. */
    public static ParameterLayout of(ComputationGraph graph, StepProgram program) {
        PlacementPlan plan = program.plan();
        Boundary boundary = new Boundary(graph, plan);
        Map<String, List<ParameterSpec>> specs = new LinkedHashMap<>();
        for (DeviceProgram p : program.programs()) {
            TensorParallel tp = TensorParallel.of(graph, TensorGroup.shapeOnly(plan.tensorParallel(), p.tensorRank()));
            List<StageModel> chunks = new ArrayList<>();
            for (int s = p.stage(); s < plan.pipelineStages(); s += plan.pipelineDegree()) {
                chunks.add(new StageModel(graph, boundary, s, plan.globalBatchSize(), OpTimer.NONE, tp));
            }
            specs.put(p.device(), union(chunks));
        }
        return new ParameterLayout(specs);
    }

    /** The parameters a device running these model chunks holds, in chunk order; one read by several chunks once. */
    static List<ParameterSpec> union(Collection<StageModel> chunks) {
        Map<String, ParameterSpec> union = new LinkedHashMap<>();
        chunks.forEach(c -> c.parameters().forEach(spec -> union.putIfAbsent(spec.name(), spec)));
        return List.copyOf(union.values());
    }

    /**
     * Whole tensors from the parts held by the devices in {@code values} (device -> name -> part): a whole
     * tensor from the first device in program order holding it, a split one put together from one part of
     * each rank.
     *
     * @throws IllegalArgumentException when a split tensor misses a rank's part
     */
    public Map<String, INDArray> assemble(Map<String, Map<String, INDArray>> values) {
        Map<String, INDArray> out = new TreeMap<>();
        Map<String, INDArray[]> parts = new TreeMap<>();
        Map<String, ParameterSpec> splitSpecs = new TreeMap<>();
        byDevice.forEach((device, specs) -> values.getOrDefault(device, Map.of()).forEach((name, v) -> {
            Optional<ParameterSpec> spec = specOf(specs, name);
            if (spec.isEmpty() || spec.get().shard().whole()) {
                out.putIfAbsent(name, v.dup());
            } else {
                Shard shard = spec.get().shard();
                INDArray[] slots = parts.computeIfAbsent(name, k -> new INDArray[shard.parts()]);
                if (slots[shard.index()] == null) {
                    slots[shard.index()] = v;
                }
                splitSpecs.put(name, spec.get());
            }
        }));
        parts.forEach((name, slots) -> {
            ParameterSpec spec = splitSpecs.get(name);
            for (int k = 0; k < slots.length; k++) {
                if (slots[k] == null) {
                    throw new IllegalArgumentException("tensor " + name + " misses the part of tensor rank " + k + " of " + slots.length);
                }
            }
            INDArray whole = Nd4j.create(slots[0].dataType(), spec.shape());
            for (int k = 0; k < slots.length; k++) {
                spec.shard().withIndex(k).place(whole, slots[k]);
            }
            out.put(name, whole);
        });
        return out;
    }

    /** {@code whole}'s tensors cut to the parts {@code device} holds (a tensor it does not hold passes as is). */
    Map<String, INDArray> partsOf(String device, Map<String, INDArray> whole) {
        Map<String, ParameterSpec> specs = byDevice.getOrDefault(device, Map.of());
        Map<String, INDArray> out = new LinkedHashMap<>();
        whole.forEach((name, v) -> out.put(name, specOf(specs, name).map(s -> s.shard().take(v)).orElse(v)));
        return out;
    }

    /** A parameter's spec, or for optimizer state {@code param/...} its parameter's. */
    private static Optional<ParameterSpec> specOf(Map<String, ParameterSpec> specs, String name) {
        ParameterSpec own = specs.get(name);
        int slash = name.lastIndexOf('/');
        return own != null ? Optional.of(own) : slash < 0 ? Optional.empty() : Optional.ofNullable(specs.get(name.substring(0, slash)));
    }
}
