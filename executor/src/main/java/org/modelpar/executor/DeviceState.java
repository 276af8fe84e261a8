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
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a device holds across steps: its parameters, gradient accumulators and optimizer, all accounted
 * in its ledger. In mixed precision (Micikevicius et al., "Mixed Precision Training", ICLR 2018) the
 * parameters are fp32 master weights that only the optimizer touches, the kernels read 16-bit copies of them
 * ({@link #compute}, refreshed after every update) and the gradients accumulate in 16 bits: 2 + 2 bytes per
 * parameter beside the master weight and the optimizer state, as the simulator's memory model counts them; the update
 * casts one gradient at a time to fp32 (a temporary of that tensor's size, freed before the next).
 * Under ZeRO (Rajbhandari et al., "ZeRO", SC 2020, section 5) over d replicas the device holds 1/d of the optimizer
 * state (stage 1 on), of the gradients between micro-batches (stage 2 on) and of the parameters (stage 3: its part of
 * each, {@link ZeroShards}, flat; whole parameters exist only while a unit runs, {@link UnitGathers}).
 */
final class DeviceState {
    /** The master weights: whole, or under ZeRO stage 3 this device's part of each (none of a tensor too short to reach it). */
    final Map<String, INDArray> params = new LinkedHashMap<>();
    /** Every parameter's whole shape (on this tensor rank), by name. */
    final Map<String, long[]> shapes = new LinkedHashMap<>();
    /** What the kernels read: the parameters themselves, or their 16-bit copies in mixed precision. */
    final Map<String, INDArray> compute;
    /** The whole gradients: every parameter's, or under ZeRO stage 2 those a backward is producing ({@link #sharded}). */
    final Map<String, INDArray> grads;
    /** ZeRO stage 2: the gradients, kept as this device's parts between micro-batches. */
    final Optional<ShardedGradients> sharded;
    final Optimizer optimizer;
    final MemoryLedger ledger;
    final LossScale lossScale;
    /** The type the kernels compute in. */
    final DataType computeType;
    private final DataType master;
    /** ZeRO stage 3: {@link #params} holds this device's parts only. */
    final boolean parametersSharded;

    /**
     * @param zeroStage the plan's ZeRO stage (0 to 3)
     * @param zero      with a ZeRO stage over several replicas, this device's part of every tensor; empty: whole
     */
    DeviceState(List<ParameterSpec> specs, long seed, DataType master, DataType computeType, Optimizer optimizer,
                MemoryLedger ledger, LossScale lossScale, int zeroStage, Optional<ZeroShards> zero) {
        this.optimizer = optimizer;
        this.ledger = ledger;
        this.master = master;
        this.computeType = computeType;
        this.lossScale = lossScale;
        this.parametersSharded = zeroStage == 3 && zero.isPresent();
        this.compute = master == computeType ? params : new LinkedHashMap<>();
        for (ParameterSpec s : specs) {
            INDArray whole = Initializer.initialise(s, seed, master);
            shapes.put(s.name(), whole.shape());
            Optional<INDArray> held = parametersSharded ? zero.get().part(whole).map(INDArray::dup) : Optional.of(whole);
            if (held.isEmpty()) {
                continue;
            }
            INDArray p = held.get();
            long bytes = Tensors.bytes(p);
            ledger.allocate(MemoryCategory.PARAMETERS, bytes);
            // the optimizer keeps state for the part this device updates: its own part under any ZeRO stage (under
            // stage 3 the part it holds, already cut), else the whole tensor
            long updated = zero.map(z -> z.ownLength(whole.length()) * whole.dataType().width()).orElse(bytes);
            ledger.allocate(MemoryCategory.OPTIMIZER, optimizer.stateBytes(updated));
            params.put(s.name(), p);
            if (compute != params) {
                INDArray copy = p.castTo(computeType);
                ledger.allocate(MemoryCategory.PARAMETERS, Tensors.bytes(copy));
                compute.put(s.name(), copy);
            }
        }
        this.sharded = zeroStage >= 2 ? zero.map(z -> new ShardedGradients(shapes, computeType, z, ledger)) : Optional.empty();
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
     * @param shards the part of each parameter this device updates (ZeRO), or empty for all of it; under ZeRO stage 3
     *               the part it holds
     */
    void update(Collection<String> names, boolean skip, Optional<ZeroShards> shards) {
        Map<String, INDArray> mine = new LinkedHashMap<>();
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (String n : names) {
            if (parametersSharded) {
                Optional.ofNullable(params.get(n)).ifPresent(part -> {
                    mine.put(n, part);
                    g.put(n, sharded.orElseThrow().part(n).orElseThrow());
                });
                continue;
            }
            Optional<INDArray> p = shards.isEmpty() ? Optional.of(params.get(n)) : shards.get().part(params.get(n));
            p.ifPresent(part -> {
                mine.put(n, part);
                g.put(n, shards.map(z -> gradientPart(n, z)).orElseGet(() -> grads.get(n)));
            });
        }
        if (!skip && compute == params) {
            optimizer.step(mine, g);
        } else if (!skip) {
            // one tensor at a time, each fp32 gradient a temporary of its own: never all of them at once
            mine.forEach((n, part) -> {
                try (MemoryWorkspace one = Scratch.openKernel()) {
                    optimizer.stepFromComputeGradient(n, part, g.get(n), lossScale.value());
                    ledger.momentary(MemoryCategory.WORKSPACE, one.getThisCycleAllocations());
                }
            });
        }
        if (sharded.isPresent()) {
            sharded.get().zero(names);
        } else {
            names.forEach(n -> grads.get(n).assign(0));
        }
        if (shards.isEmpty() || parametersSharded) {
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
            names.stream().filter(params::containsKey).forEach(n -> compute.get(n).assign(params.get(n)));
        }
    }

    private void refreshCompute() {
        if (compute != params) {
            compute.forEach((name, c) -> c.assign(params.get(name)));
        }
    }

    /** Copies of the parameters this device holds (under ZeRO stage 3 its parts). */
    Map<String, INDArray> parameterCopies() {
        Map<String, INDArray> out = new HashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    /** Overwrites the parameters (or ZeRO stage 3 parts) this device holds with the given values (others are ignored). */
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
                mine.put(k, v.castTo(master));
            }
        });
        optimizer.restore(mine);
        lossScale.restore(optimizerState);
        refreshCompute();
    }
}
