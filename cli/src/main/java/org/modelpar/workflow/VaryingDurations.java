package org.modelpar.workflow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.modelpar.executor.profile.StepSpread;
import org.modelpar.simulator.SimulationOptions;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.cost.DurationNoise;
import org.modelpar.simulator.timeline.Timeline;

/**
 * The predicted step with its compute durations varying as the run's did ({@link StepSpread}): the median of
 * {@value #STEPS} simulated steps, each drawing every compute instruction's factor with its own seed, as the measured
 * step is the median of the run's steps. Where the workers outnumber the host's cores their durations vary mostly by
 * the sharing itself, which the simulation already charges (each of k busy devices computes at {@code C / k}) and
 * which conserves the host's work (one worker's preemption is another's run), so drawn independently it would count
 * twice: the small gpt's four-stage pipeline on four threads of two cores was predicted 1.57 of its measured step with
 * it, 0.91 without; there the durations do not vary.
 */
final class VaryingDurations {
    /** Simulated steps per prediction; odd, so the median is one of them. */
    static final int STEPS = 301;

    private VaryingDurations() {
    }

    /**
     * How the compute durations of {@code measured}'s steps {@code fromStep} on varied, unless the host's workers outnumber
     * its cores ({@link CalibratedPrediction#oversubscribed}).
     */
    static DurationNoise of(Timeline measured, int fromStep, boolean oversubscribed) {
        return new DurationNoise(oversubscribed ? new double[0] : StepSpread.factors(measured, fromStep), 0);
    }

    /**
     * The median of {@value #STEPS} steps {@code simulate} returns under {@code options} with {@code noise} drawn with
     * seeds 0, 1, ...; the one step {@code options} gives where durations do not vary.
     */
    static SimulationReport medianStep(SimulationOptions options, DurationNoise noise,
                                       Function<SimulationOptions, SimulationReport> simulate) {
        if (!noise.varies()) {
            return simulate.apply(options);
        }
        List<SimulationReport> steps = new ArrayList<>(STEPS);
        for (int seed = 0; seed < STEPS; seed++) {
            steps.add(simulate.apply(options.withNoise(noise.withSeed(seed))));
        }
        steps.sort(Comparator.comparingDouble(SimulationReport::stepSeconds));
        return steps.get(STEPS / 2);
    }
}
