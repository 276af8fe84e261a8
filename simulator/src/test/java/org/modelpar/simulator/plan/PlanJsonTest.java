package org.modelpar.simulator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanJsonTest {
    static PlanFile sample() {
        PlacementPlan plan = new PlacementPlan("gpt-tiny", "sha256:ab", "dgx-a100:2", "sha256:cd", Precision.BF16,
                OptimizerKind.ADAM, 32, 8, 4, Schedule.ONE_F_ONE_B, 2,
                List.of(new Stage(0, List.of("n0g0", "n0g1", "n0g2", "n0g3"), List.of("embed", "block0.ln1"), false),
                        new Stage(1, List.of("n0g4", "n0g5"), List.of("loss"), true)));
        Explanation ex = new Explanation(List.of("stage 1 is the bottleneck"),
                List.of(new Explanation.RunnerUp("pp=1 tp=2 dp=3", Double.NaN, "does not fit by 2 GiB on n0g0"),
                        new Explanation.RunnerUp("pp=2 tp=1 dp=3", 0.25, "slower by 12%")));
        return new PlanFile(plan, Optional.of(new Prediction(0.125, 256, Map.of("n0g1", 1000L, "n0g0", 2000L))),
                List.of(0.01, 0.02), ex);
    }

    @Test
    void writesTheGoldenFile() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/plan.json")) {
            assertThat(PlanJson.write(sample())).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The sample with sequence parallelism, scatter/gather sends, an overlapped gradient all-reduce and selective recomputation on stage 0. */
    static PlanFile modern() {
        PlanFile old = sample();
        PlacementPlan p = old.plan();
        List<Stage> stages = List.of(p.stages().get(0).withRecomputation(Recompute.SELECTIVE), p.stages().get(1));
        PlacementPlan plan = new PlacementPlan(p.graphName(), p.graphHash(), p.clusterName(), p.clusterHash(), p.precision(),
                p.optimizer(), p.globalBatchSize(), p.microBatchSize(), p.microBatches(), p.schedule(), p.tensorParallel(),
                stages, new PlanOptions(true, true, true));
        return new PlanFile(plan, old.predicted(), old.computeSeconds(), old.explanation());
    }

    @Test
    void writesTheModernGoldenFileAndReadsItBack() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/plan-options.json")) {
            String golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(PlanJson.write(modern())).isEqualTo(golden);
            assertThat(PlanJson.read(golden, "x").plan()).isEqualTo(modern().plan());
        }
    }

    /** Interleaved 1F1B: 4 stages on 2 device groups, stage s on the devices of stage s mod 2. */
    static PlanFile interleaved() {
        List<Stage> stages = List.of(new Stage(0, List.of("n0g0", "n0g1"), List.of("embed"), false),
                new Stage(1, List.of("n0g2", "n0g3"), List.of("block0.ln1"), true),
                new Stage(2, List.of("n0g0", "n0g1"), List.of("block0.attn"), true),
                new Stage(3, List.of("n0g2", "n0g3"), List.of("loss"), false));
        PlacementPlan plan = new PlacementPlan("gpt-tiny", "sha256:ab", "dgx-a100:2", "sha256:cd", Precision.BF16,
                OptimizerKind.ADAM, 32, 8, 4, Schedule.INTERLEAVED, 2, stages, PlanOptions.NONE, 2);
        return new PlanFile(plan, Optional.empty(), List.of(), Explanation.none());
    }

    @Test
    void writesTheInterleavedGoldenFileAndReadsItBack() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/plan-interleaved.json")) {
            String golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(PlanJson.write(interleaved())).isEqualTo(golden);
            PlacementPlan read = PlanJson.read(golden, "x").plan();
            assertThat(read).isEqualTo(interleaved().plan());
            assertThat(read.pipelineDegree()).isEqualTo(2);
            assertThat(read.devices()).containsExactly("n0g0", "n0g1", "n0g2", "n0g3");
        }
    }

    @Test
    void aPlanWithoutVirtualStagesHasOneChunkPerDeviceGroup() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/plan.json")) {
            PlacementPlan old = PlanJson.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "x").plan();
            assertThat(old.virtualStages()).isEqualTo(1);
            assertThat(old.pipelineDegree()).isEqualTo(old.pipelineStages());
        }
        String text = PlanJson.write(interleaved());
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"virtualStages\" : 2,\n", ""), "p.json"))
                .isInstanceOf(PlanException.class)
                .hasMessage("p.json: schedule interleaved needs virtualStages of at least 2, got 1");
    }

    @Test
    void writesTheZeroStageOnlyWhenSetAndReadsItBack() throws IOException {
        PlanFile modern = modern();
        PlanFile zero = new PlanFile(modern.plan().withOptions(modern.plan().options().withZeroStage(2)), modern.predicted(),
                modern.computeSeconds(), modern.explanation());
        try (InputStream in = getClass().getResourceAsStream("/golden/plan-zero.json")) {
            String golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(PlanJson.write(zero)).isEqualTo(golden);
            assertThat(PlanJson.read(golden, "x").plan()).isEqualTo(zero.plan());
            assertThatThrownBy(() -> PlanJson.read(golden.replace("\"zeroStage\" : 2", "\"zeroStage\" : 4"), "p.json"))
                    .isInstanceOf(PlanException.class).hasMessage("p.json: zeroStage must be 0, 1, 2 or 3, got 4");
        }
        assertThat(PlanJson.write(modern)).doesNotContain("zeroStage");
    }

    @Test
    void oldPlanFilesReadWithoutTheNewFields() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/golden/plan.json")) {
            PlacementPlan old = PlanJson.read(new String(in.readAllBytes(), StandardCharsets.UTF_8), "x").plan();
            assertThat(old.options()).isEqualTo(PlanOptions.NONE);
            assertThat(old.stages()).extracting(Stage::recomputation).containsExactly(Recompute.NONE, Recompute.FULL);
        }
    }

    @Test
    void roundTripsByteIdentically() {
        String text = PlanJson.write(sample());
        PlanFile back = PlanJson.read(text, "plan.json");
        assertThat(back.plan()).isEqualTo(sample().plan());
        assertThat(back.predicted()).isEqualTo(sample().predicted());
        assertThat(back.computeSeconds()).isEqualTo(sample().computeSeconds());
        assertThat(PlanJson.write(back)).isEqualTo(text);
        PlanFile bare = PlanFile.of(sample().plan());
        assertThat(PlanJson.read(PlanJson.write(bare), "x").predicted()).isEmpty();
    }

    @Test
    void errorsNameTheFieldAndValue() {
        String text = PlanJson.write(sample());
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"1f1b\"", "\"zigzag\""), "p.json"))
                .isInstanceOf(PlanException.class)
                .hasMessage("p.json: schedule: schedule must be one of gpipe, 1f1b, interleaved, zb-h1, got 'zigzag'");
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"microBatches\" : 4", "\"microBatches\" : \"four\""), "p.json"))
                .hasMessage("p.json: microBatches: expected a whole number in -2147483648..2147483647, got \"four\"");
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"recompute\" : true", "\"recompute\" : 1"), "p.json"))
                .hasMessage("p.json: stages[1].recompute: expected true, false or \"selective\", got 1");
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"recompute\" : true", "\"recompute\" : \"most\""), "p.json"))
                .hasMessage("p.json: stages[1].recompute: recompute must be one of none, selective, full, got 'most'");
        assertThatThrownBy(() -> PlanJson.read(text.replace("modelpar-plan/1", "modelpar-plan/9"), "p.json"))
                .hasMessage("p.json: format: must be 'modelpar-plan/1', got 'modelpar-plan/9'");
        assertThatThrownBy(() -> PlanJson.read("{\"format\": ", "p.json")).hasMessageStartingWith("p.json: line 1, column 12: malformed JSON: Unexpected end-of-input");
    }

    @Test
    void rejectsDuplicateKeysAndTrailingTokens() {
        String text = PlanJson.write(sample());
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"microBatches\" : 4,",
                "\"microBatches\" : 4, \"microBatches\" : 8,"), "p.json"))
                .isInstanceOf(PlanException.class)
                .hasMessage("p.json: line 16, column 37: malformed JSON: Duplicate field 'microBatches'");
        assertThatThrownBy(() -> PlanJson.read(text + "{}", "p.json"))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("p.json: line 52, column 1: malformed JSON: Trailing token");
    }

    @Test
    void outOfRangeIntegersAreNamedNotWrapped() {
        String text = PlanJson.write(sample());
        assertThatThrownBy(() -> PlanJson.read(text.replace("\"microBatches\" : 4", "\"microBatches\" : 4294967300"),
                "p.json")).hasMessage("p.json: microBatches: expected a whole number in -2147483648..2147483647, got 4294967300");
    }
}
