package org.modelpar.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.simulator.program.AllReduce;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's gradient collectives between its backward passes and its optimizer step: the data-parallel
 * all-reduce of its gradients over the program's group and the all-reduce of a weight tied across stages.
 */
final class GradientSync {
    private final String device;
    private final DeviceState state;
    private final RunContext run;
    private final Map<Integer, List<String>> parametersOf;

    /** @param parametersOf the parameters each stage the device runs updates (each parameter under one stage) */
    GradientSync(String device, DeviceState state, RunContext run, Map<Integer, List<String>> parametersOf) {
        this.device = device;
        this.state = state;
        this.run = run;
        this.parametersOf = Map.copyOf(parametersOf);
    }

    /** The parameters that {@code stage}'s chunk updates. */
    List<String> parametersOf(int stage) {
        return parametersOf.get(stage);
    }

    /** The gradients of {@code stage}'s parameters. */
    private Map<String, INDArray> gradientsOf(int stage) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        parametersOf.get(stage).forEach(name -> out.put(name, state.grads.get(name)));
        return out;
    }

    /** Runs {@code a}: a ring all-reduce of the gradients of its stage over its group, or of a tied weight's. */
    void allReduce(int step, AllReduce a) throws InterruptedException {
        if (!a.tiedOp().isEmpty()) {
            tiedReduce(step, a);
            return;
        }
        run.collectives().allReduce("step " + step + " " + a.name(), device, a.group(), gradientsOf(a.stage()), run.control());
    }

    /** Adds the gradients of {@code a.tiedOp()}'s weights held by several stages: one summand per stage, zeros from the rest. */
    private void tiedReduce(int step, AllReduce a) throws InterruptedException {
        for (RunContext.Tied tied : run.tiedGroups(device)) {
            if (!tied.parameter().startsWith(a.tiedOp() + ".")) {
                continue;
            }
            if (!Set.copyOf(tied.members()).equals(Set.copyOf(a.group()))) {
                throw new IllegalStateException(a.name() + " runs over " + a.group() + " but " + tied.parameter()
                        + " is held by " + tied.members());
            }
            INDArray grad = state.grads.get(tied.parameter());
            run.collectives().allReduce("step " + step + " tied " + tied.parameter(), device, tied.members(),
                    Map.of(tied.parameter(), tied.summands().contains(device) ? grad : grad.assign(0)), run.control());
        }
    }
}
