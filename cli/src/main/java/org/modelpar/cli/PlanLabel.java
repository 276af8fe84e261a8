package org.modelpar.cli;

import java.util.Locale;
import org.modelpar.simulator.plan.PlacementPlan;

/** The one-line name of a plan's configuration that {@code run} and {@code plan --from} print. */
final class PlanLabel {
    private PlanLabel() {
    }

    /** e.g. {@code pp=2 tp=1 dp=1 m=4 mb=4 1f1b fp32}; per-stage data parallelism in brackets when it differs. */
    static String of(PlacementPlan plan) {
        StringBuilder dp = new StringBuilder();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            dp.append(s == 0 ? "" : ",").append(plan.dataParallel(s));
        }
        String d = plan.stages().stream().mapToInt(st -> plan.dataParallel(st.index())).distinct().count() == 1
                ? String.valueOf(plan.dataParallel(0)) : "[" + dp + "]";
        return String.format(Locale.ROOT, "pp=%d tp=%d dp=%s m=%d mb=%d %s %s", plan.pipelineDegree(), plan.tensorParallel(), d,
                plan.microBatches(), plan.microBatchSize(), plan.schedule().jsonName(), plan.precision().jsonName());
    }
}
