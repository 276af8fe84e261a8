package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;

/**
 * What a measured step took beyond its instructions: the step's time less the span from its first instruction's
 * start to its last one's end, at least 0 (handing the step to each worker and collecting its result, resetting its
 * pools and ledger). A simulated step is only its instructions; the small mlp's 6.5 ms steps on one worker spent a
 * median 0.2 ms outside them. The same statistic as the measured step
 * ({@link SteadyStep}: the median of the steady steps), added to the predicted step.
 */
public final class StepOverhead {
    private StepOverhead() {
    }

    /** The steady steps' median overhead of {@code measured}; 0 without steps. */
    public static double seconds(TrainResult measured) {
        Map<Integer, double[]> window = new HashMap<>();
        for (Span s : measured.timeline().spans()) {
            double[] w = window.computeIfAbsent(s.step(), k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
            w[0] = Math.min(w[0], s.startSeconds());
            w[1] = Math.max(w[1], s.endSeconds());
        }
        List<Double> overheads = new ArrayList<>();
        for (int i = 0; i < measured.stepSeconds().size(); i++) {
            double[] w = window.get(measured.firstStep() + i);
            overheads.add(Math.max(0, measured.stepSeconds().get(i) - (w == null ? 0 : w[1] - w[0])));
        }
        return SteadyStep.seconds(overheads);
    }
}
