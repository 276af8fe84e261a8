package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.Source;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a stage's ops forward, for its forward pass and for the rebuild of a recompute segment in its backward:
 * each kernel call in its own scope of the arena, each value handed back once its last reader is done.
 */
final class ForwardRunner {
    private final List<OpNode> ops;
    private final Map<String, Kernel> kernels;
    private final Map<String, List<Source>> sources;
    private final Map<Integer, List<String>> lastReadBy;
    private final Map<Recompute, Segments> segments;
    private final OpTimer timer;

    ForwardRunner(List<OpNode> ops, Map<String, Kernel> kernels, Map<String, List<Source>> sources,
                  Map<Integer, List<String>> lastReadBy, Map<Recompute, Segments> segments, OpTimer timer) {
        this.ops = ops;
        this.kernels = kernels;
        this.sources = sources;
        this.lastReadBy = lastReadBy;
        this.segments = segments;
        this.timer = timer;
    }

    /**
     * Runs the ops at {@code indices} (in order) forward, reading and adding to {@code values}, putting what each
     * kernel saves into {@code saved}; a value no later op reads and no kernel saved is handed back as soon as its
     * last reader is done (as its reference count drops to 0), unless its memory is in {@code keep}. Ops in
     * {@code stashing}'s segments save nothing; the values its segments read go to {@code checkpoints} and are
     * kept. Returns the loss share computed.
     */
    double run(List<Integer> indices, Map<String, INDArray> values, INDArray rows, INDArray labels, int samples,
                       Map<String, INDArray> params, Arena arena, Map<String, List<INDArray>> saved, Set<DataBuffer> keep,
                       Segments stashing, Map<String, INDArray> checkpoints) {
        double loss = 0;
        for (int i : indices) {
            OpNode op = ops.get(i);
            List<INDArray> in = resolve(op.id(), values, rows, labels);
            Kernel kernel = kernels.get(op.id());
            Kernel.Forward f = arena.call(() -> {
                long start = System.nanoTime();
                Kernel.Forward r = kernel.forward(in, params, samples);
                timer.record(op.id(), OpTimer.Part.FORWARD, System.nanoTime() - start);
                return arena.keep(r);
            });
            values.put(op.id(), f.output());
            if (stashing.rebuilt(i)) {
                // recomputed in backward: what the kernel saved dies with the values it holds
                release(f.saved(), values.values(), keep, arena);
            } else {
                saved.put(op.id(), f.saved());
                f.saved().forEach(a -> keep.add(Tensors.root(a)));
            }
            if (stashing.checkpointed(op.id())) {
                checkpoints.put(op.id(), f.output());
                keep.add(Tensors.root(f.output()));
            }
            if (Kernels.isLoss(op)) {
                loss += f.output().getDouble(0);
            }
            List<INDArray> dying = new ArrayList<>();
            lastReadBy.getOrDefault(i, List.of()).forEach(v -> {
                INDArray a = values.remove(v);
                if (a != null) {
                    dying.add(a);
                }
            });
            release(dying, values.values(), keep, arena);
        }
        return loss;
    }

    /** Hands back the arrays among {@code dead} that share memory with none of {@code live} and none of {@code keep}. */
    private static void release(List<INDArray> dead, Collection<INDArray> live, Set<DataBuffer> keep, Arena arena) {
        arena.release(Tensors.unshared(dead, live).stream().filter(a -> !keep.contains(Tensors.root(a))).toList());
    }

    /**
     * Re-runs the forward of op {@code index}'s recompute segment from the stash's checkpoints and inputs, putting
     * what its kernels save into {@code saved}; values the segment's backward does not read are handed back at
     * once. Returns the saved arrays to hand back once the segment's backward is done.
     */
    List<INDArray> rebuild(int index, Stash stash, Map<String, INDArray> params, Map<String, List<INDArray>> saved,
                                   Arena arena) {
        return rebuild(index, stash, saved, arena, (segment, part) -> part.run(segment, params));
    }

    /** Runs some of a segment's ops forward, in order, reading {@code params}. */
    @FunctionalInterface
    interface Part {
        void run(List<Integer> indices, Map<String, INDArray> params);
    }

    /** How a segment's rebuild runs its ops: in parts, each with the parameters it reads. */
    @FunctionalInterface
    interface Parts {
        /** Runs every op of {@code segment} (in order, across the calls) through {@code part}. */
        void run(List<Integer> segment, Part part);
    }

    /**
     * {@link #rebuild(int, Stash, Map, Map, Arena)} with the segment's ops run in parts, each reading its own
     * parameters (ZeRO stage 3: a segment over several units, each re-gathered for its part, {@link GatherOrder}).
     */
    List<INDArray> rebuild(int index, Stash stash, Map<String, List<INDArray>> saved, Arena arena, Parts parts) {
        Map<String, INDArray> values = new LinkedHashMap<>(stash.inputs());
        values.putAll(stash.checkpoints());
        Map<String, INDArray> before = Map.copyOf(values);
        Set<DataBuffer> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        stash.arrays().forEach(a -> keep.add(Tensors.root(a)));
        Map<String, List<INDArray>> again = new LinkedHashMap<>();
        Map<String, INDArray> noCheckpoints = new LinkedHashMap<>();
        parts.run(segments.get(stash.recomputation()).segmentOf(index), (indices, params) -> run(indices, values, stash.data(),
                stash.targets(), stash.samples(), params, arena, again, keep, segments.get(Recompute.NONE), noCheckpoints));
        saved.putAll(again);
        List<INDArray> savedAgain = new ArrayList<>();
        again.values().forEach(savedAgain::addAll);
        // the values the rebuild made, among them its own output again where that is the next segment's checkpoint
        values.entrySet().removeIf(v -> before.get(v.getKey()) == v.getValue());
        List<INDArray> live = new ArrayList<>(stash.arrays());
        live.addAll(savedAgain);
        arena.release(Tensors.unshared(values.values(), live));
        return Tensors.unshared(savedAgain, stash.arrays());
    }

    private List<INDArray> resolve(String opId, Map<String, INDArray> values, INDArray data, INDArray targets) {
        List<INDArray> in = new ArrayList<>();
        for (Source s : sources.get(opId)) {
            in.add(switch (s.kind()) {
                case OP -> values.get(s.producerId());
                case INPUT -> data;
                case TARGETS -> targets;
            });
        }
        return in;
    }
}
