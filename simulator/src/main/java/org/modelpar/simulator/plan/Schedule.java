package org.modelpar.simulator.plan;

import java.util.Arrays;

/**
 * Pipeline schedule (the order of each device's passes is {@code program.ScheduleOrder}'s):
 * <ul>
 *   <li>{@code gpipe}: all forwards, then all backwards (Huang et al., "GPipe", NeurIPS 2019);</li>
 *   <li>{@code 1f1b}: PipeDream-Flush (Narayanan et al., "Memory-Efficient Pipeline-Parallel DNN Training",
 *       ICML 2021);</li>
 *   <li>{@code interleaved}: Megatron-LM's interleaved 1F1B over v model chunks per device group (Narayanan et
 *       al., "Efficient Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", SC'21, section
 *       2.2; {@link PlacementPlan#virtualStages()});</li>
 *   <li>{@code zb-h1}: 1F1B with each backward split into its input-gradient pass (B) and its weight-gradient
 *       pass (W), stage i deferring the W of its first i micro-batches to the end of the step (Qi et al.,
 *       "Zero Bubble Pipeline Parallelism", ICLR 2024, section 3.1, schedule ZB-H1).</li>
 * </ul>
 */
public enum Schedule {
    GPIPE("gpipe"),
    ONE_F_ONE_B("1f1b"),
    INTERLEAVED("interleaved"),
    ZB_H1("zb-h1");

    private final String jsonName;

    Schedule(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    /** Whether a device group runs several model chunks (virtual stages). */
    public boolean interleaves() {
        return this == INTERLEAVED;
    }

    /** Whether backward passes are split into input-gradient and weight-gradient passes. */
    public boolean splitsBackward() {
        return this == ZB_H1;
    }

    public static Schedule parse(String name) {
        return Arrays.stream(values()).filter(s -> s.jsonName.equals(name)).findFirst()
                .orElseThrow(() -> new PlanException("schedule must be one of gpipe, 1f1b, interleaved, zb-h1, got '" + name + "'"));
    }
}
