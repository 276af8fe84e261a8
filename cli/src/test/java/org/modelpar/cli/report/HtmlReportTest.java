package org.modelpar.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Prediction;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Timeline;
import org.modelpar.simulator.timeline.TimelineStats;

class HtmlReportTest {
    static final int P = 3;
    static final int M = 4;
    static final double TF = 0.001;
    static final double TB = 0.002;

    static ReportInput input(boolean measured) {
        PlacementPlan plan = new PlacementPlan("tiny<gpt>", "h", "local:3", "c", Precision.FP32, OptimizerKind.ADAM, 8, 2, M,
                Schedule.GPIPE, 1, List.of(new Stage(0, List.of("gpu0"), List.of("embed", "block0.ln1"), false),
                new Stage(1, List.of("gpu1"), List.of("block1.ln1"), false),
                new Stage(2, List.of("gpu2"), List.of("head"), true)));
        Timeline sim = SyntheticTraces.gpipe(P, M, TF, TB, 1L << 30, 1L << 28);
        Optional<Timeline> meas = measured
                ? Optional.of(SyntheticTraces.gpipe(P, M, 1.2 * TF, 1.1 * TB, 1L << 30, 1L << 28))
                : Optional.empty();
        Explanation why = new Explanation(List.of("stage 2 is the bottleneck", "memory headroom 60% on gpu0"),
                List.of(new Explanation.RunnerUp("pp=2 dp=1 m=4 gpipe", 0.021, "slower by 16%"),
                        new Explanation.RunnerUp("pp=1 m=8", Double.NaN, "does not fit by 3.2 GiB on gpu0")));
        return new ReportInput(plan, Optional.of(new Prediction(0.018, 444.4, Map.of("gpu0", 2L << 30))), why, sim, meas,
                Map.of("gpu0", 4L << 30, "gpu1", 4L << 30, "gpu2", 4L << 30));
    }

    @Test
    void stageTimesMatchTheGpipeClosedForm() {
        TimelineStats stats = TimelineStats.of(input(false).simulated());
        double step = (M + P - 1) * (TF + TB);
        assertThat(stats.stepSeconds()).isCloseTo(step, within(1e-9));
        for (int s = 0; s < P; s++) {
            TimelineStats.DeviceTimes t = stats.device("gpu" + s).orElseThrow();
            assertThat(t.busySeconds()).isCloseTo(M * (TF + TB), within(1e-9));
            assertThat(t.exposedCommunicationSeconds()).isZero();
            assertThat(t.bubbleSeconds()).isCloseTo((P - 1) * (TF + TB), within(1e-9));
        }
    }

    @Test
    void pageHasEverySectionAndEscapesNames() {
        String html = HtmlReport.render(input(true));
        assertThat(html).contains("<title>modelpar report: tiny&lt;gpt&gt; on local:3</title>")
                .contains("id=\"summary\"", "id=\"stages\"", "id=\"explanation\"", "id=\"timeline-simulated\"",
                        "id=\"timeline-measured\"", "id=\"memory-simulated\"", "id=\"memory-measured\"", "id=\"stages-simulated\"",
                        "id=\"stages-measured\"", "id=\"runner-ups\"")
                .contains("stage 2 is the bottleneck", "does not fit by 3.2 GiB on gpu0", "(+")
                .doesNotContain("http://", "https://", "<script");
        assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(7);
    }

    @Test
    void stageTableShowsPredictedMeasuredAndCapacityInTheDevicesUnit() {
        ReportInput in = input(true);
        double measured = in.measured().orElseThrow().memoryOf("gpu0").stream().mapToDouble(MemorySample::bytes).max().orElseThrow();
        assertThat(HtmlReport.render(in)).contains("<th>predicted peak memory</th><th>measured peak memory</th><th>memory per device</th>")
                .contains("<td>2.00 GiB</td><td>" + ByteSize.format(measured, 4L << 30) + "</td><td>4.00 GiB</td>");
        ReportInput budget = new ReportInput(in.plan(), in.predicted(), in.explanation(), in.simulated(), Optional.empty(),
                Map.of("gpu0", 48L << 20, "gpu1", 48L << 20, "gpu2", 48L << 20));
        assertThat(HtmlReport.render(budget)).contains("<td>2048.00 MiB</td><td>48.00 MiB</td>")
                .doesNotContain("<th>measured peak memory</th>");
    }

    @Test
    void sameInputSameBytes() {
        assertThat(HtmlReport.render(input(false))).isEqualTo(HtmlReport.render(input(false)));
    }
}
