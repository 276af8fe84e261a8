package org.modelpar.executor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.modelpar.simulator.program.ExpertAllReduce;
import org.modelpar.simulator.timeline.Span;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A worker's expert-parallel gradient reduction: the all-reduce of the gradients of the routed experts the device
 * holds of a stage, over the replicas holding the same experts; one overlapping the last backward is deferred until
 * the overlapped reductions are awaited, when the gradients are complete.
 */
final class ExpertReduce {
    /** An expert all-reduce deferred to {@link #runDeferred}. */
    private record Deferred(int step, int index, ExpertAllReduce instruction, long startNanos) {
    }

    private final String device;
    private final DeviceState state;
    private final RunContext run;
    private final Map<Integer, List<String>> parametersOf;
    private final Set<String> splitExperts;
    private final List<Deferred> deferred = new ArrayList<>();

    ExpertReduce(String device, DeviceState state, RunContext run, Map<Integer, List<String>> parametersOf,
                 Set<String> splitExperts) {
        this.device = device;
        this.state = state;
        this.run = run;
        this.parametersOf = parametersOf;
        this.splitExperts = splitExperts;
    }

    /** Runs {@code x} now, or defers it when it overlaps the last backward. */
    void reduce(int step, int index, ExpertAllReduce x) throws InterruptedException {
        if (x.overlapsBackward()) {
            deferred.add(new Deferred(step, index, x, run.ticker().nanos()));
            return;
        }
        allReduce(step, x);
    }

    /** Runs the deferred all-reduces, recording each one's span from its instruction to its end. */
    void runDeferred() throws InterruptedException {
        for (Deferred d : deferred) {
            allReduce(d.step(), d.instruction());
            run.record(new Span(device, d.step(), d.index(), d.instruction(), run.seconds(d.startNanos()),
                    run.seconds(run.ticker().nanos())), state.ledger.liveBytes(), state.ledger.liveBytes());
        }
        deferred.clear();
    }

    private void allReduce(int step, ExpertAllReduce x) throws InterruptedException {
        Map<String, INDArray> grads = new LinkedHashMap<>();
        parametersOf.get(x.stage()).stream().filter(splitExperts::contains).forEach(name -> grads.put(name, state.grads.get(name)));
        run.collectives().allReduce("step " + step + " " + x.name(), device, x.group(), grads, run.control());
    }
}
