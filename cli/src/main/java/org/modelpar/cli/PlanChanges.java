package org.modelpar.cli;

import java.util.ArrayList;
import java.util.List;
import org.modelpar.simulator.plan.PlacementPlan;

/** What changed between an earlier plan ({@code plan --from}) and a new one, as printable lines. */
final class PlanChanges {
    private PlanChanges() {
    }

    static List<String> describe(PlacementPlan before, PlacementPlan after) {
        List<String> lines = new ArrayList<>();
        change(lines, "cluster", before.clusterName(), after.clusterName());
        change(lines, "graph", before.graphName(), after.graphName());
        change(lines, "global batch", String.valueOf(before.globalBatchSize()), String.valueOf(after.globalBatchSize()));
        change(lines, "configuration", PlanLabel.of(before), PlanLabel.of(after));
        int common = Math.min(before.pipelineStages(), after.pipelineStages());
        for (int s = 0; s < common; s++) {
            List<String> a = before.stages().get(s).ops();
            List<String> b = after.stages().get(s).ops();
            if (!a.equals(b)) {
                lines.add(String.format("stage %d: ops %s..%s (%d) -> %s..%s (%d)", s, a.get(0), a.get(a.size() - 1), a.size(),
                        b.get(0), b.get(b.size() - 1), b.size()));
            }
        }
        if (lines.isEmpty()) {
            lines.add("unchanged from the earlier plan");
        } else {
            lines.add(0, "changed from the earlier plan:");
        }
        return lines;
    }

    private static void change(List<String> lines, String what, String before, String after) {
        if (!before.equals(after)) {
            lines.add(what + ": " + before + " -> " + after);
        }
    }
}
