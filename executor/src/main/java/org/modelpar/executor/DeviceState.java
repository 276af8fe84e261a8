package org.modelpar.executor;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.kernel.Tensors;
import org.modelpar.executor.model.Initializer;
import org.modelpar.executor.model.Optimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a device holds across steps: its parameters, gradient accumulators and optimizer, all accounted
 * in its ledger. In mixed precision (Micikevicius et al., "Mixed Precision Training", ICLR 2018) the
 * parameters are fp32 master weights that only the optimizer touches, the kernels read 16-bit copies of them
 * ({@link #compute}, refreshed after every update) and the gradients accumulate in 16 bits: 2 + 2 bytes per
 * parameter beside the master weight and the optimizer state, as the simulator's memory model counts them.
 */
final class DeviceState {
    final Map<String, INDArray> params = new LinkedHashMap<>();
    /** What the kernels read: the parameters themselves, or their 16-bit copies in mixed precision. */
    final Map<String, INDArray> compute;
    /** The whole gradients: every parameter's, or under ZeRO stage 2 those a backward is producing ({@link #sharded}). */
    final Map<String, INDArray> grads;
    /** ZeRO stage 2: the gradients, kept as this device's parts between micro-batches. */
    final Optional<ShardedGradients> sharded;
    final Optimizer optimizer;
    final MemoryLedger ledger;
    final LossScale lossScale;
    private final DataType master;

    /**
     * @param optimizerShards the replicas the optimizer state is sharded over (ZeRO; 1 without): this device holds 1/n of it
     * @param gradientShards  ZeRO stage 2: this device's part of every gradient, the only part it keeps; empty: whole
     */
    DeviceState(List<ParameterSpec> specs, long seed, DataType master, DataType computeType, Optimizer optimizer,
                MemoryLedger ledger, LossScale lossScale, int optimizerShards, Optional<ZeroShards> gradientShards) {
        this.optimizer = optimizer;
        this.ledger = ledger;
        this.master = master;
        this.lossScale = lossScale;
        this.compute = master == computeType ? params : new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            INDArray p = Initializer.initialise(s, seed, master);
            long bytes = Tensors.bytes(p);
            ledger.allocate(MemoryCategory.PARAMETERS, bytes);
            ledger.allocate(MemoryCategory.OPTIMIZER, optimizer.stateBytes(-Math.floorDiv(-bytes, optimizerShards)));
            params.put(s.name(), p);
            if (compute != params) {
                INDArray copy = p.castTo(computeType);
                ledger.allocate(MemoryCategory.PARAMETERS, Tensors.bytes(copy));
                compute.put(s.name(), copy);
            }
            shapes.put(s.name(), p.shape());
        }
        this.sharded = gradientShards.map(z -> new ShardedGradients(shapes, computeType, z, ledger));
        this.grads = sharded.isPresent() ? sharded.get() : new LinkedHashMap<>();
        if (sharded.isEmpty()) {
            shapes.forEach((name, shape) -> {
                INDArray g = Nd4j.zeros(computeType, shape);
                ledger.allocate(MemoryCategory.GRADIENTS, Tensors.bytes(g));
                grads.put(name, g);
            });
        }
    }

    /** Whether a gradient holds an infinity or NaN (an fp16 overflow). */
    boolean gradientsOverflowed() {
        return sharded.map(ShardedGradients::overflowed)
                .orElseGet(() -> grads.values().stream().anyMatch(g -> g.isInfinite().any() || g.isNaN().any()));
    }

    /**
     * Updates the parameters {@code names} from their gradients divided by the loss scale (cast to the master
     * type in mixed precision), unless {@code skip} (an overflow); then zeroes their gradients and, unless
     * {@code shards} leaves the rest of each parameter to an all-gather, refreshes the kernels' copies of them. A
     * device with several model chunks calls it once per chunk.
     *
     * @param shards the part of each parameter this device updates (ZeRO), or empty for all of it
     */
    void update(Collection<String> names, boolean skip, Optional<ZeroShards> shards) {
        Map<String, INDArray> mine = new LinkedHashMap<>();
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (String n : names) {
            Optional<INDArray> p = shards.isEmpty() ? Optional.of(params.get(n)) : shards.get().part(params.get(n));
            p.ifPresent(part -> {
                mine.put(n, part);
                g.put(n, shards.map(z -> gradientPart(n, z)).orElseGet(() -> grads.get(n)));
            });
        }
        if (!skip && compute == params) {
            optimizer.step(mine, g);
        } else if (!skip) {
            Map<String, INDArray> unscaled = new LinkedHashMap<>();
            g.forEach((n, v) -> unscaled.put(n, v.castTo(master).divi(lossScale.value())));
            optimizer.step(mine, unscaled);
        }
        if (sharded.isPresent()) {
            sharded.get().zero(names);
        } else {
            names.forEach(n -> grads.get(n).assign(0));
        }
        if (shards.isEmpty()) {
            refresh(names);
        }
    }

    /** This device's part of the gradient of {@code n}: kept as such under ZeRO stage 2, else cut out of the whole. */
    private INDArray gradientPart(String n, ZeroShards shards) {
        return sharded.isPresent() ? sharded.get().part(n).orElseThrow() : shards.part(grads.get(n)).orElseThrow();
    }

    /** Refreshes the kernels' 16-bit copies of {@code names} from the master weights (nothing in fp32). */
    void refresh(Collection<String> names) {
        if (compute != params) {
            names.forEach(n -> compute.get(n).assign(params.get(n)));
        }
    }

    private void refreshCompute() {
        if (compute != params) {
            compute.forEach((name, c) -> c.assign(params.get(name)));
        }
    }

    /** Copies of the parameters. */
    Map<String, INDArray> parameterCopies() {
        Map<String, INDArray> out = new HashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Overwrites the parameters this device holds with the given values (others are ignored). */
    void load(Map<String, INDArray> values, Map<String, INDArray> optimizerState) {
        params.forEach((name, p) -> {
            INDArray v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("checkpoint has no parameter " + name);
            }
            p.assign(v);
        });
        Map<String, INDArray> mine = new HashMap<>();
        optimizerState.forEach((k, v) -> {
            int slash = k.lastIndexOf('/');
            if (k.startsWith("adam/") || params.containsKey(k.substring(0, Math.max(0, slash)))) {
                mine.put(k, v.castTo(params.values().iterator().next().dataType()));
            }
        });
        optimizer.restore(mine);
        lossScale.restore(optimizerState);
        refreshCompute();
    }
}
