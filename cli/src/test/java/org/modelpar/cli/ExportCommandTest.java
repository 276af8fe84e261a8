package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.workflow.export.ExportFormat;
import org.modelpar.workflow.export.Exporter;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.Clusters;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;
import org.modelpar.simulator.plan.Stage;

class ExportCommandTest {
    private static final ComputationGraph GPT = ModelZoo.build("gpt-tiny");

    /** gpt-tiny (embedding, block0..3, head) in two stages that cut after {@code firstStageOps} ops. */
    static PlacementPlan plan(int firstStageOps) {
        List<String> ids = GPT.topologicalOrder().stream().map(OpNode::id).toList();
        return new PlacementPlan("gpt-tiny", GraphJson.contentHash(GPT), "dgx-a100", "", Precision.FP32, OptimizerKind.ADAM,
                8, 4, 2, Schedule.ONE_F_ONE_B, 1, List.of(
                new Stage(0, List.of("n0g0"), ids.subList(0, firstStageOps), false),
                new Stage(1, List.of("n0g1"), ids.subList(firstStageOps, ids.size()), false)));
    }

    static int opsThrough(String lastOp) {
        return GPT.topologicalOrder().stream().map(OpNode::id).toList().indexOf(lastOp) + 1;
    }

    @Test
    void exportsToStdoutAndFile(@TempDir Path dir) throws Exception {
        PlacementPlan plan = plan(opsThrough("block1.add2"));
        Path file = dir.resolve("plan.json");
        PlanJson.write(new PlanFile(plan, Optional.empty(), List.of(), Explanation.none()), file);
        CliRun run = CliRun.of("export", "--plan", file.toString(), "--format", "torch");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(Exporter.export(GPT, plan, Clusters.resolve("dgx-a100"), ExportFormat.TORCH).text())
                .contains("\"transformer.h.2\": SplitPoint.BEGINNING,");
        Path out = dir.resolve("ds.py");
        CliRun toFile = CliRun.of("export", "--plan", file.toString(), "--format", "deepspeed", "--out", out.toString());
        assertThat(toFile.exitCode()).as(toFile.err()).isZero();
        assertThat(toFile.out()).contains("wrote deepspeed export").contains("2 stages");
        assertThat(Files.readString(out)).contains("PARTS = [0, 3, 6]\n", "#   n0 slots=2\n",
                "# deepspeed --hostfile hostfile --num_nodes 1 --num_gpus 2 ");
    }

    @Test
    void cutInsideALayerIsExitTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.json");
        PlanJson.write(PlanFile.of(plan(opsThrough("block1.fc1"))), file);
        CliRun run = CliRun.of("export", "--plan", file.toString(), "--format", "megatron");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("modelpar: stage 1 boundary cuts layer 'block1': op 'block1.gelu' is on stage 1 but op 'block1.ln1' on stage 0");
    }

    @Test
    void unknownFormatAndForeignGraphAreExitTwo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.json");
        PlanJson.write(PlanFile.of(plan(opsThrough("block1.add2"))), file);
        CliRun bad = CliRun.of("export", "--plan", file.toString(), "--format", "jax");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("modelpar: export format must be one of deepspeed, torch, megatron, got 'jax'\n");
        CliRun other = CliRun.of("export", "--plan", file.toString(), "--format", "torch", "--model", "gpt:layers=4,hidden=64,heads=4,seq=32,vocab=128");
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err()).startsWith("modelpar: " + file + ": graph.hash sha256:")
                .contains("does not match graph 'gpt:layers=4,hidden=64,heads=4,seq=32,vocab=128'");
        List<String> lines = new ArrayList<>(other.err().lines().toList());
        assertThat(lines).hasSize(1);
    }
}
