package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.simulator.timeline.SteadyStep;

/**
 * What a measured step took beyond its instructions: the step's time less the span from its first instruction's
 * start to its last one's end ({@link SteadyStep#instructionSeconds}), at least 0 (handing the step to each worker
 * and collecting its result, resetting its pools and ledger). A simulated step is only its instructions; the small
 * mlp's 6.5 ms steps on one worker spent a median 0.2 ms outside them. The same statistic as the measured step
 * ({@link SteadyStep}: the typical one of the steady steps no garbage collection paused), added to the predicted step.
 */
public final class StepOverhead {
    private StepOverhead() {
    }

    /** The steady steps' median overhead of {@code measured}; 0 without steps. */
    public static double seconds(TrainResult measured) {
        Map<Integer, Double> instructions = SteadyStep.instructionSeconds(measured.timeline());
        List<Double> overheads = new ArrayList<>();
        for (int i = 0; i < measured.stepSeconds().size(); i++) {
            double busy = instructions.getOrDefault(measured.firstStep() + i, 0.0);
            overheads.add(Math.max(0, measured.stepSeconds().get(i) - busy));
        }
        return SteadyStep.seconds(overheads, measured.firstStep(), measured.timeline().pausedSteps());
    }
}
