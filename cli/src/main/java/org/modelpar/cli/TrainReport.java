package org.modelpar.cli;

import java.io.PrintWriter;
import org.modelpar.simulator.timeline.Comparison;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.simulator.timeline.SteadyStep;

/** The human-readable summary of {@code modelpar train}. */
final class TrainReport {
    private TrainReport() {
    }

    static void print(PrintWriter out, TrainResult r, Comparison c, boolean compare, double rooflineStepSeconds) {
        out.printf("steps %d..%d, final loss %.6f%n", r.firstStep(), r.firstStep() + r.losses().size() - 1,
                r.losses().get(r.losses().size() - 1));
        out.printf("step time: measured %.2f ms (typical step), predicted %.2f ms (%+.1f%%)%n",
                c.measuredStepSeconds() * 1e3, c.predictedStepSeconds() * 1e3, c.stepErrorPercent());
        if (r.pausedSteadySteps() > 0) {
            int steady = r.stepSeconds().size() - SteadyStep.firstSteady(r.stepSeconds().size());
            out.printf("  (%d of the %d steady steps, paused by a garbage collection, left out)%n",
                    r.pausedSteadySteps(), steady);
        }
        out.printf("  (roofline from the cluster profile alone: %.2f ms)%n", rooflineStepSeconds * 1e3);
        if (!r.warmUpSeconds().isEmpty()) {
            out.printf("  (after %d warm-up steps, until the JIT was quiet and the steps steady)%n", r.warmUpSeconds().size());
        }
        out.printf("%-10s %16s %16s %9s%n", "device", "measured peak B", "predicted peak B", "error");
        c.memory().forEach((d, m) -> out.printf("%-10s %16d %16d %+8.1f%%%n", d, m.measuredBytes(), m.predictedBytes(),
                m.errorPercent()));
        if (compare) {
            out.printf("%-10s %16s %16s %9s%n", "device", "measured busy ms", "predicted ms", "error");
            c.compute().forEach((d, b) -> out.printf("%-10s %16.3f %16.3f %+8.1f%%%n", d, b.measuredSeconds() * 1e3,
                    b.predictedSeconds() * 1e3, b.errorPercent()));
            out.println("largest disagreements (median step):");
            out.printf("  %-8s %4s %-28s %12s %12s%n", "device", "#", "instruction", "predicted ms", "measured ms");
            c.worstInstructions().forEach(g -> out.printf("  %-8s %4d %-28s %12.3f %12.3f%n", g.device(), g.index(),
                    g.name(), g.predictedSeconds() * 1e3, g.measuredSeconds() * 1e3));
        }
    }
}
