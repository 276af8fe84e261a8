package org.modelpar.cli.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Prediction;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Compute;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.Payload;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.SteadyStep;
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

    /**
     * Speed, communication, layers and loss are shown as computed: MFU = model TFLOP/s / peak, tokens/s = samples/s x
     * tokens, achieved bandwidth = bytes / summed transfer time per kind and link, the measured step = the median of the
     * run's steady steps ({@link SteadyStep}, as train prints it).
     */
    @Test
    void speedTrafficLayersLossAndTheSteadyMeasuredStepAreComputed() {
        ReportInput base = input(false);
        List<Span> spans = new ArrayList<>();
        spans.add(new Span("gpu0", 0, 0, new Send(0, 1, 0, Payload.ACTIVATION, "gpu1", 1_000_000_000L, 0, 1), 0.0, 0.1));
        spans.add(new Span("gpu0", 0, 1, new Send(0, 1, 1, Payload.ACTIVATION, "gpu1", 1_000_000_000L, 1, 1), 0.1, 0.5));
        spans.add(new Span("gpu1", 0, 0, new AllReduce(1, List.of("gpu1", "gpu2"), 3_000_000_000L), 0.5, 1.5));
        Timeline sim = new Timeline(Timeline.Source.SIMULATED, List.of("gpu0", "gpu1", "gpu2"), spans, List.of(), List.of());
        // four measured steps of 4, 3, 2 and 1 ms: the steady step is the median of the last two, 1.5 ms
        List<Span> steps = new ArrayList<>();
        double t = 0;
        for (int step = 0; step < 4; step++) {
            double d = (4 - step) * 1e-3;
            steps.add(new Span("gpu0", step, 0, new Compute(0, 0, Direction.FORWARD, false), t, t + d));
            t += d + 1e-3;
        }
        Timeline measured = new Timeline(Timeline.Source.MEASURED, List.of("gpu0", "gpu1", "gpu2"), steps, List.of(), List.of());
        ReportInput in = new ReportInput(base.plan(), base.predicted(), base.explanation(), sim, Optional.of(measured),
                base.capacityBytes(), Optional.of(new Speed(444.4, OptionalLong.of(1024), 100, 90, 312)),
                List.of(new LayerRow("block0", 0, 12, 7_077_888, 1.4e10, 0.0125, 3L << 20)), List.of(5.0, 4.5, 4.25),
                Map.of("gpu0", "n0", "gpu1", "n0", "gpu2", "n1"));
        String html = HtmlReport.render(in);
        assertThat(html).contains("<td>444.4 samples/s, 455066 tokens/s</td>", "<td>100.0 executed, 90.0 model; MFU 28.8% of 312.0 peak</td>",
                "<td>send</td><td>intra-node</td><td>2</td><td>1.86 GiB</td><td>500.000 ms</td><td>4.00 GB/s</td>",
                "<td>all-reduce</td><td>inter-node</td><td>1</td><td>2.79 GiB</td><td>1.000 s</td><td>3.00 GB/s</td>",
                "<td>block0</td><td>0</td><td>12</td><td>7,077,888</td><td>1.40e+10</td><td>12.500 ms</td><td>3.00 MiB</td>",
                "id=\"loss\"", "<td>" + Html.seconds(SteadyStep.seconds(List.of(4e-3, 3e-3, 2e-3, 1e-3))) + " (");
        assertThat(SteadyStep.seconds(List.of(4e-3, 3e-3, 2e-3, 1e-3))).isCloseTo(1.5e-3, within(1e-12));
    }

    /** A small model on a large device is charted in MiB, its capacity named instead of drawn. */
    @Test
    void memoryOfASmallModelIsInMiB() {
        Timeline small = SyntheticTraces.gpipe(P, M, TF, TB, 10L << 20, 1L << 20);
        List<Row> rows = List.of(new Row("stage 0 (gpu0)", "gpu0"));
        assertThat(MemoryChart.of("m", small, rows, Map.of("gpu0", 80L << 30)).orElseThrow().getYAxisTitle())
                .isEqualTo("MiB (capacity 80.00 GiB, off the chart)");
        assertThat(MemoryChart.of("m", small, rows, Map.of("gpu0", 48L << 20)).orElseThrow().getYAxisTitle()).isEqualTo("MiB");
    }
}
