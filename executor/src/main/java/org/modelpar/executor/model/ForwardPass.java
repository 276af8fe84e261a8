package org.modelpar.executor.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.simulator.plan.Recompute;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A stage's forward pass for one micro-batch, run whole (every op in the stage's order) or part by part: each part
 * the ops of one parameter unit ({@link StageModel#units()}; consecutive ops, {@link StageModel#unitByUnitProblem}), in
 * unit order, so that under ZeRO stage 3 only that unit's parameters need to be
 * present while it runs. The values crossing from one part to the next stay in the arena; {@link #finish} keeps the
 * stash and the outputs and hands back every other intermediate value.
 */
public final class ForwardPass {
    private final StageModel stage;
    private final Arena arena;
    private final Recompute recompute;
    private final int samples;
    private final Map<String, INDArray> kept = new LinkedHashMap<>();
    private final INDArray rows;
    private final INDArray labels;
    private final Map<String, INDArray> values;
    private final Map<String, List<INDArray>> saved = new LinkedHashMap<>();
    private final Set<DataBuffer> savedMemory = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, INDArray> checkpoints = new LinkedHashMap<>();
    private int nextUnit;
    private double loss;

    ForwardPass(StageModel stage, Map<String, INDArray> inputs, INDArray data, INDArray targets, int samples,
                Recompute recompute, Arena arena) {
        this.stage = stage;
        this.arena = arena;
        this.recompute = recompute;
        this.samples = samples;
        inputs.forEach((k, v) -> kept.put(k, arena.keep(v)));
        this.rows = arena.keep(data);
        this.labels = arena.keep(targets);
        this.values = new LinkedHashMap<>(kept);
    }

    /**
     * Runs the ops of unit {@code unit}, which must be the next one, reading the parameters from {@code params}.
     *
     * @throws IllegalStateException when {@code unit} is not the next unit of the pass
     */
    public ForwardPass run(int unit, Map<String, INDArray> params) {
        if (unit != nextUnit || unit >= stage.units()) {
            throw new IllegalStateException("forward part of unit " + unit + " of " + stage.units() + " after " + nextUnit
                    + " parts");
        }
        nextUnit++;
        loss += stage.runner().run(stage.unitOps(unit), values, rows, labels, samples, params, arena, saved, savedMemory,
                stage.segments(recompute), checkpoints);
        return this;
    }

    /** Runs the whole pass, every op in the stage's order, reading the parameters from {@code params}. */
    public ForwardPass runAll(Map<String, INDArray> params) {
        if (nextUnit != 0) {
            throw new IllegalStateException("a whole forward after " + nextUnit + " parts");
        }
        nextUnit = stage.units();
        loss += stage.runner().run(IntStream.range(0, stage.opCount()).boxed().toList(), values, rows, labels, samples, params,
                arena, saved, savedMemory, stage.segments(recompute), checkpoints);
        return this;
    }

    /**
     * Ends the pass: the outputs to send, the loss share and the stash.
     *
     * @throws IllegalStateException when a unit has not run
     */
    public StageModel.ForwardResult finish() {
        if (nextUnit != stage.units()) {
            throw new IllegalStateException("forward ended after " + nextUnit + " of " + stage.units() + " parts");
        }
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        for (String p : stage.sent()) {
            outputs.put(p, values.get(p));
        }
        Stash stash = new Stash(kept, rows, labels, samples, recompute, saved, checkpoints);
        List<INDArray> live = new ArrayList<>(stash.arrays());
        live.addAll(outputs.values());
        values.keySet().removeAll(kept.keySet());
        arena.release(Tensors.unshared(values.values(), live));
        return new StageModel.ForwardResult(outputs, loss, stash);
    }
}
