package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.Source;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.cost.ZeroSharding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stage's backward pass for one micro-batch, every op in reverse order, run whole or part by part: each part the
 * ops of one parameter unit ({@link StageModel#units()}; consecutive ops), from the last unit to the first, so that under ZeRO stage 3
 * only that unit's parameters need to be present while it runs. A whole backward adds the parameter gradients into
 * its gradients; a split one (ZB-H1's input-gradient pass) computes only the input gradients and keeps, for each op
 * with parameters, its output gradient and saved tensors for the weight-gradient pass ({@link #weights()}). A
 * gradient is handed back as soon as the op that consumes it is done (as autograd frees it). Under recomputation a
 * segment's forward is re-run when its backward starts, and what it saved is handed back when its backward ends.
 */
public final class BackwardPass {
    private final StageModel stage;
    private final Stash stash;
    private final Map<String, INDArray> grads;
    private final Arena arena;
    private final Consumer<String> gradientsDone;
    private final UnitParameters regather;
    private final boolean split;
    private final Map<String, List<INDArray>> saved;
    private final List<INDArray> rebuilt = new ArrayList<>();
    private final Map<String, INDArray> g = new LinkedHashMap<>();
    private final Map<String, INDArray> deferredGrads = new LinkedHashMap<>();
    private final Map<String, List<INDArray>> deferredSaved = new LinkedHashMap<>();
    private int nextUnit;
    /** The unit whose part runs, or -1 while the whole pass runs. */
    private int running = -1;
    /** The parameters the running part (or the whole pass) reads. */
    private Map<String, INDArray> partParameters = Map.of();

    /**
     * @param outputGrads   gradients of the sent tensors (empty for the last stage; the loss op's: the loss scale)
     * @param grads         where a whole backward adds the parameter gradients; null for a split backward
     * @param gradientsDone told each op whose parameter gradients a whole backward has just added
     * @param regather      where a part re-gathers the units of a recompute segment over several units (ZeRO stage 3)
     */
    BackwardPass(StageModel stage, Stash stash, Map<String, INDArray> outputGrads, Map<String, INDArray> grads, Arena arena,
                 Consumer<String> gradientsDone, UnitParameters regather) {
        this.stage = stage;
        this.regather = regather;
        this.stash = stash;
        this.grads = grads;
        this.arena = arena;
        this.gradientsDone = gradientsDone;
        this.split = grads == null;
        this.saved = new LinkedHashMap<>(stash.saved());
        this.nextUnit = stage.units() - 1;
        outputGrads.forEach((k, v) -> g.put(k, arena.copy(v)));
    }

    /**
     * Runs the backward of the ops of unit {@code unit}, which must be the next one (the last unit first), reading the
     * parameters from {@code params}.
     *
     * @throws IllegalStateException when {@code unit} is not the next unit of the pass
     */
    public BackwardPass run(int unit, Map<String, INDArray> params) {
        if (unit != nextUnit || unit < 0) {
            throw new IllegalStateException("backward part of unit " + unit + " of " + stage.units() + " where unit "
                    + nextUnit + " is next");
        }
        nextUnit--;
        running = unit;
        partParameters = params;
        List<Integer> indices = stage.unitOps(unit);
        for (int k = indices.size() - 1; k >= 0; k--) {
            backward(indices.get(k));
        }
        running = -1;
        return this;
    }

    /** Runs the whole pass, every op in the stage's reverse order, reading the parameters from {@code params}. */
    public BackwardPass runAll(Map<String, INDArray> params) {
        if (nextUnit != stage.units() - 1) {
            throw new IllegalStateException("a whole backward after " + (stage.units() - 1 - nextUnit) + " parts");
        }
        nextUnit = -1;
        partParameters = params;
        for (int i = stage.opCount() - 1; i >= 0; i--) {
            backward(i);
        }
        return this;
    }

    /**
     * Ends the pass: the gradients of the received tensors by producer id, kept in the arena.
     *
     * @throws IllegalStateException when a unit has not run
     */
    public Map<String, INDArray> finish() {
        if (nextUnit >= 0) {
            throw new IllegalStateException("backward ended with " + (nextUnit + 1) + " of " + stage.units() + " parts to run");
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String p : stage.received()) {
            INDArray d = g.get(p);
            out.put(p, d != null ? d : arena.copy(stash.inputs().get(p)).assign(0));
        }
        return out;
    }

    /** What a split backward keeps for its weight-gradient pass (nothing for a whole backward). */
    public WeightStash weights() {
        return new WeightStash(deferredGrads, deferredSaved);
    }

    private void backward(int i) {
        OpNode op = stage.op(i);
        INDArray gradOut = g.remove(op.id());
        if (gradOut != null || Kernels.isLoss(op)) {
            if (!saved.containsKey(op.id())) {
                rebuilt.addAll(rebuild(i));
            }
            List<INDArray> opSaved = saved.get(op.id());
            Kernel kernel = stage.kernel(op.id());
            Map<String, INDArray> params = partParameters;
            arena.call(() -> {
                long start = System.nanoTime();
                Kernel.Backward b = split ? new Kernel.Backward(kernel.inputGradients(gradOut, opSaved, params), Map.of())
                        : kernel.backward(gradOut, opSaved, params);
                stage.timer().record(op.id(), OpTimer.Part.BACKWARD, System.nanoTime() - start);
                b.paramGrads().forEach((name, d) -> grads.get(name).addi(d));
                List<INDArray> inputGrads = b.inputGrads();
                accumulate(op, inputGrads);
                return inputGrads;
            });
            if (!split && !kernel.parameters().isEmpty()) {
                gradientsDone.accept(op.id());
            }
            if (split && kernel.runsWeightPass()) {
                deferredGrads.put(op.id(), gradOut);
                deferredSaved.put(op.id(), opSaved);
            } else if (gradOut != null) {
                arena.release(List.of(gradOut));
            }
        }
        if (stage.segments(stash.recomputation()).opensSegment(i) && !rebuilt.isEmpty()) {
            // the segment's backward is done: what its rebuild saved dies before the next segment is rebuilt
            List<INDArray> live = new ArrayList<>(stash.arrays());
            if (split) {
                live.addAll(weights().arrays());
            }
            arena.release(Tensors.unshared(rebuilt, live));
            rebuilt.clear();
        }
    }

    /**
     * Rebuilds op {@code i}'s recompute segment. Run whole, within the running unit, or with every parameter present, it
     * reads the part's parameters;
     * over several units (a part of a pass run unit by unit), each unit's ops read that unit's parameters, re-gathered
     * in forward order as {@link GatherOrder#recompute} says (the running unit's too, when it was freed meanwhile).
     */
    private List<INDArray> rebuild(int i) {
        List<Integer> units = stage.unitsOf(stage.segments(stash.recomputation()).segmentOf(i));
        if (running < 0 || units.size() == 1 || !regather.sharded()) {
            return stage.runner().rebuild(i, stash, partParameters, saved, arena);
        }
        Set<Integer> withParameters = new HashSet<>();
        units.stream().filter(u -> !stage.unitParameters(u).isEmpty()).forEach(withParameters::add);
        List<GatherOrder.Step> order = GatherOrder.recompute(units, running, regather.held(), withParameters,
                ZeroSharding.GATHERED_UNITS);
        List<INDArray> again = stage.runner().rebuild(i, stash, saved, arena, (segment, part) -> {
            for (GatherOrder.Step step : order) {
                if (step instanceof GatherOrder.Gather g) {
                    regather.gather(g.unit());
                } else if (step instanceof GatherOrder.Run r) {
                    Map<String, INDArray> own = withParameters.contains(r.unit()) ? regather.parameters(r.unit()) : Map.of();
                    part.run(segment.stream().filter(k -> stage.unitOf(k) == r.unit()).toList(), own);
                } else if (step instanceof GatherOrder.Release x) {
                    regather.release(x.unit());
                }
            }
        });
        if (withParameters.contains(running)) {
            partParameters = regather.parameters(running);
        }
        return again;
    }

    /** Adds an op's input gradients to the gradients of their producers (a kept copy for the first). */
    private void accumulate(OpNode op, List<INDArray> inputGrads) {
        List<Source> src = stage.sources(op.id());
        for (int i = 0; i < src.size(); i++) {
            INDArray d = inputGrads.get(i);
            if (src.get(i).kind() == Source.Kind.OP && d != null) {
                INDArray sum = g.get(src.get(i).producerId());
                if (sum == null) {
                    g.put(src.get(i).producerId(), arena.copy(d));
                } else {
                    sum.addi(d);
                }
            }
        }
    }
}
