package org.modelpar.simulator.plan;

import java.util.List;

/** What a schedule asks of a plan's structure; {@link PlacementPlan}'s constructor applies it. */
final class ScheduleRules {
    private ScheduleRules() {
    }

    /**
     * Checks the virtual stages and, per schedule, the micro-batches and recomputation:
     * <ul>
     *   <li>{@code interleaved}: v at least 2 model chunks per device group, at least 2 device groups, the
     *       stages split into v chunks of p, stage s on the devices of stage {@code s mod p}, and m divisible
     *       by p (Megatron-LM's interleaved schedule cycles through the chunks in groups of p micro-batches);</li>
     *   <li>{@code zb-h1}: m at least p (Qi et al. 2024 assume it; with fewer the deferred weight-gradient
     *       passes no longer fill the drain) and no recomputation (a weight-gradient pass would need the
     *       recomputed activations after the input-gradient pass has released them);</li>
     *   <li>every other schedule: v = 1.</li>
     * </ul>
     */
    static void check(Schedule schedule, int virtualStages, int microBatches, List<Stage> stages) {
        int v = virtualStages;
        if (!schedule.interleaves()) {
            PlacementPlan.require(v == 1, "virtualStages " + v + " needs schedule interleaved, got " + schedule.jsonName());
        } else {
            PlacementPlan.require(v >= 2, "schedule interleaved needs virtualStages of at least 2, got " + v);
            PlacementPlan.require(stages.size() % v == 0 && stages.size() / v >= 2, stages.size()
                    + " stages do not form virtualStages " + v + " model chunks on at least 2 device groups");
            int p = stages.size() / v;
            for (int s = p; s < stages.size(); s++) {
                PlacementPlan.require(stages.get(s).devices().equals(stages.get(s % p).devices()), "stage " + s
                        + " runs on device group " + (s % p) + " (virtualStages " + v + ") but has devices "
                        + stages.get(s).devices() + ", not stage " + (s % p) + "'s " + stages.get(s % p).devices());
            }
            PlacementPlan.require(microBatches % p == 0, "schedule interleaved needs microBatches divisible by the "
                    + p + " device groups (Megatron-LM), got " + microBatches);
        }
        if (schedule.splitsBackward()) {
            PlacementPlan.require(microBatches >= stages.size(), "schedule " + schedule.jsonName()
                    + " needs microBatches of at least the " + stages.size() + " pipeline stages, got " + microBatches);
            for (Stage s : stages) {
                PlacementPlan.require(s.recomputation() == Recompute.NONE, "schedule " + schedule.jsonName()
                        + " runs without recomputation; stage " + s.index() + " has recompute "
                        + s.recomputation().jsonName());
            }
        }
    }
}
