package org.modelpar.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.Adam;
import org.modelpar.executor.model.Optimizer;
import org.modelpar.executor.model.Sgd;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.program.DeviceProgram;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of every device an executor runs ({@link DeviceState}) and the views of it that checkpoints read and
 * restore: each device's parameter and optimizer-state parts, and whole tensors put together from them by the
 * step program's {@link ParameterLayout}.
 */
final class DeviceStates {
    private final Map<String, DeviceState> states = new LinkedHashMap<>();
    private final ParameterLayout layout;

    DeviceStates(ParameterLayout layout) {
        this.layout = layout;
    }

    /**
     * A new state of device {@code p} holding the parameters {@code specs} as the plan places them (precision,
     * optimizer, loss scaling, ZeRO sharding over the device's stage's replicas); call it on the device's thread.
     */
    static DeviceState create(List<ParameterSpec> specs, ExecutorOptions options, PlacementPlan plan, DeviceProgram p) {
        Optimizer optimizer = plan.optimizer() == OptimizerKind.ADAM ? new Adam(options.learningRate()) : new Sgd(options.learningRate());
        return new DeviceState(specs, options.seed(), options.dataType(), PlanSupport.computeType(plan.precision(), options.dataType()),
                optimizer, new MemoryLedger(p.device(), options.budgetOf(p.device())),
                plan.precision() == Precision.FP16 ? LossScale.dynamic() : LossScale.none(),
                plan.options().zeroStage(), plan.options().zeroStage() > 0 && plan.dataParallel(p.stage()) > 1
                        ? Optional.of(new ZeroShards(p.replica(), plan.dataParallel(p.stage()))) : Optional.empty());
    }

    void put(String device, DeviceState state) {
        states.put(device, state);
    }

    /** Whole parameters ({@link Executor#parameters()}). */
    Map<String, INDArray> parameters() {
        return layout.assemble(parameterParts());
    }

    /** Whole optimizer state ({@link Executor#optimizerState()}). */
    Map<String, INDArray> optimizerState() {
        return layout.assemble(optimizerStateParts());
    }

    /** Copies of the parameter parts each device holds, by device. */
    Map<String, Map<String, INDArray>> parameterParts() {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        states.forEach((d, s) -> out.put(d, s.parameterCopies()));
        return out;
    }

    /** Copies of the optimizer state each device holds, by device. */
    Map<String, Map<String, INDArray>> optimizerStateParts() {
        Map<String, Map<String, INDArray>> out = new LinkedHashMap<>();
        states.forEach((d, s) -> {
            Map<String, INDArray> copies = new TreeMap<>(s.lossScale.state());
            s.optimizer.state().forEach((k, v) -> copies.put(k, v.dup()));
            out.put(d, copies);
        });
        return out;
    }

    /** Loads whole parameters and optimizer state into every device holding them (its parts). */
    void restore(Map<String, INDArray> params, Map<String, INDArray> optimizerState) {
        states.forEach((d, s) -> s.load(layout.partsOf(d, params), layout.partsOf(d, optimizerState)));
    }

    /** Peak accounted bytes per device, in plan order. */
    Map<String, Long> peakMemoryBytes() {
        Map<String, Long> out = new LinkedHashMap<>();
        states.forEach((d, s) -> out.put(d, s.ledger.peakBytes()));
        return out;
    }
}
