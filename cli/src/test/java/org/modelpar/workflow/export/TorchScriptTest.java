package org.modelpar.workflow.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Schedule;

/** The torch export is a Python script that compiles and imports only names torch.distributed.pipelining exports. */
class TorchScriptTest {
    /**
     * {@code __all__} of {@code torch/distributed/pipelining/__init__.py} in pytorch/pytorch at commit
     * 08464ccec9f35b9265ff15308b48152b1d27edd9.
     */
    static final Set<String> PIPELINING = Set.of("Pipe", "pipe_split", "SplitPoint", "pipeline", "PipelineStage", "build_stage",
            "Schedule1F1B", "ScheduleFlexibleInterleaved1F1B", "ScheduleGPipe", "ScheduleInterleaved1F1B", "ScheduleLoopedBFS");
    private static final Pattern IMPORT = Pattern.compile("(?m)^from torch\\.distributed\\.pipelining import (.+)$");

    @Test
    void theScriptCompilesAndUsesPipeliningsNames(@TempDir Path dir) throws Exception {
        ComputationGraph llama = ModelZoo.build("llama2-70b");
        PlacementPlan plan = TestPlans.plan(llama, new int[] {0, 11, 21, 31, 41, 51, 61, 71}, 8, 8, 1, 64, Schedule.GPIPE,
                Precision.BF16, false);
        String script = TestPlans.export(llama, plan, ExportFormat.TORCH).text();
        Matcher m = IMPORT.matcher(script);
        assertThat(m.find()).isTrue();
        assertThat(Arrays.stream(m.group(1).split(",")).map(String::trim).toList())
                .containsExactlyInAnyOrder("SplitPoint", "ScheduleGPipe", "pipeline").allMatch(PIPELINING::contains);
        assertThat(script).contains("pipe.build_stage(", "\"model.layers.10\": SplitPoint.BEGINNING,",
                "ScheduleGPipe(stage, n_microbatches=N_MICROBATCHES, loss_fn=loss_fn)", "# torchrun --nproc-per-node",
                "raise NotImplementedError(\"PLACEHOLDER: build_model()\")");
        PyCompile.assertCompiles(dir, "llama.py", script);
    }
}
