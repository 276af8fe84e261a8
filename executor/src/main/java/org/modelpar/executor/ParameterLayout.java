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
import org.modelpar.executor.kernel.ExpertGroup;
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
 * parts out of them. An optimizer-state tensor {@code param/...} is split as its parameter; under ZeRO a device
 * holds only its part of it ({@link ZeroShards}), under ZeRO stage 3 also of the parameter, and the parts of a ZeRO
 * group add up to the whole.
 */
public final class ParameterLayout {
    /**
     * A device's ZeRO group (the devices of a stage with one tensor rank) and its part of every tensor it holds in
     * parts: the optimizer state, and with {@code parameters} (stage 3) the parameters too.
     */
    record ZeroPart(String group, ZeroShards shards, boolean parameters) {
    }

    private final Map<String, Map<String, ParameterSpec>> byDevice = new LinkedHashMap<>();
    private final Map<String, ZeroPart> zero;

    ParameterLayout(Map<String, List<ParameterSpec>> specs, Map<String, ZeroPart> zero) {
        specs.forEach((device, list) -> {
            Map<String, ParameterSpec> named = new LinkedHashMap<>();
            list.forEach(s -> named.put(s.name(), s));
            byDevice.put(device, named);
        });
        this.zero = Map.copyOf(zero);
    }

    /** The ZeRO part of each device of a stage with several replicas, when the plan shards the optimizer state. */
    static Map<String, ZeroPart> zeroParts(StepProgram program) {
        PlacementPlan plan = program.plan();
        Map<String, ZeroPart> out = new LinkedHashMap<>();
        for (DeviceProgram p : program.programs()) {
            int replicas = plan.dataParallel(p.stage());
            if (plan.options().zeroStage() > 0 && replicas > 1) {
                out.put(p.device(), new ZeroPart("s" + p.stage() + " t" + p.tensorRank(), new ZeroShards(p.replica(), replicas),
                        plan.options().zeroStage() == 3));
            }
        }
        return out;
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
                chunks.add(new StageModel(graph, boundary, s, plan.globalBatchSize(), OpTimer.NONE, tp,
                        ExpertGroup.shapeOnly(plan.options().expertParallel(), ExpertExchange.member(p, plan))));
            }
            specs.put(p.device(), union(chunks));
        }
        return new ParameterLayout(specs, zeroParts(program));
    }

    /** The parameters a device running these model chunks holds, in chunk order; one read by several chunks once. */
    static List<ParameterSpec> union(Collection<StageModel> chunks) {
        Map<String, ParameterSpec> union = new LinkedHashMap<>();
        chunks.forEach(c -> c.parameters().forEach(spec -> union.putIfAbsent(spec.name(), spec)));
        return List.copyOf(union.values());
    }

    /**
     * Whole tensors from the parts held by the devices in {@code held} (device -> name -> part): a whole
     * tensor from the first device in program order holding it, a split one put together from one part of
     * each rank; ZeRO parts of optimizer state added up over their group first.
     *
     * @throws IllegalArgumentException when a split tensor misses a rank's part
     */
    public Map<String, INDArray> assemble(Map<String, Map<String, INDArray>> held) {
        Map<String, Map<String, INDArray>> values = joinZeroParts(held);
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

    /**
     * {@code whole}'s tensors cut to the parts {@code device} holds (a tensor it does not hold passes as is); under ZeRO
     * its optimizer state to its part (none where the tensor is too small to reach it).
     */
    Map<String, INDArray> partsOf(String device, Map<String, INDArray> whole) {
        Map<String, ParameterSpec> specs = byDevice.getOrDefault(device, Map.of());
        Optional<ZeroPart> z = Optional.ofNullable(zero.get(device));
        Map<String, INDArray> out = new LinkedHashMap<>();
        whole.forEach((name, v) -> {
            INDArray part = specOf(specs, name).map(s -> s.shard().take(v)).orElse(v);
            if (z.isPresent() && inParts(z.get(), specs, name)) {
                z.get().shards().part(part).ifPresent(mine -> out.put(name, mine.dup()));
            } else {
                out.put(name, part);
            }
        });
        return out;
    }

    /**
     * The devices' parts with each ZeRO group's parted tensors joined on its first device: each member's part placed
     * in a zero tensor of its parameter part's shape, summed over the group (exact: the other members add zeros).
     */
    private Map<String, Map<String, INDArray>> joinZeroParts(Map<String, Map<String, INDArray>> values) {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        Map<String, String> firstOfGroup = new LinkedHashMap<>();
        byDevice.forEach((device, specs) -> {
            Map<String, INDArray> held = values.get(device);
            ZeroPart z = zero.get(device);
            if (held == null || z == null) {
                if (held != null) {
                    out.put(device, held);
                }
                return;
            }
            String first = firstOfGroup.putIfAbsent(z.group(), device);
            Map<String, INDArray> into = first != null ? out.get(first) : new LinkedHashMap<>();
            if (first == null) {
                held.forEach((name, v) -> {
                    if (!inParts(z, specs, name)) {
                        into.put(name, v);
                    }
                });
            }
            held.forEach((name, v) -> {
                if (inParts(z, specs, name)) {
                    ParameterSpec spec = specOf(specs, name).orElseThrow();
                    INDArray whole = Nd4j.zeros(v.dataType(), spec.shard().localShape(spec.shape()));
                    z.shards().part(whole).ifPresent(part -> part.assign(v));
                    into.merge(name, whole, INDArray::addi);
                }
            });
            if (first == null) {
                out.put(device, into);
            }
        });
        return out;
    }

    /** Whether a member of ZeRO group {@code z} holds {@code name} in parts: optimizer state, or a stage-3 parameter. */
    private static boolean inParts(ZeroPart z, Map<String, ParameterSpec> specs, String name) {
        return isState(specs, name) || z.parameters() && specs.containsKey(name);
    }

    /** Whether {@code name} is optimizer state of a parameter ({@code param/...}). */
    private static boolean isState(Map<String, ParameterSpec> specs, String name) {
        return !specs.containsKey(name) && specOf(specs, name).isPresent();
    }

    /** A parameter's spec, or for optimizer state {@code param/...} its parameter's. */
    private static Optional<ParameterSpec> specOf(Map<String, ParameterSpec> specs, String name) {
        ParameterSpec own = specs.get(name);
        int slash = name.lastIndexOf('/');
        return own != null ? Optional.of(own) : slash < 0 ? Optional.empty() : Optional.ofNullable(specs.get(name.substring(0, slash)));
    }
}
