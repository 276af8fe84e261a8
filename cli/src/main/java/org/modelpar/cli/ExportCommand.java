package org.modelpar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.modelpar.workflow.export.Export;
import org.modelpar.workflow.export.ExportFormat;
import org.modelpar.workflow.export.Exporter;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.workflow.TextFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar export --plan P --format deepspeed|torch|megatron [--out FILE]}: the plan in a
 * framework's terms. Without {@code --out} the export goes to stdout; notes go to stderr.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes a plan for DeepSpeed (a training script: pipeline partition, config, hostfile), PyTorch (torch.distributed.pipelining"
                + " split points + schedule) or Megatron-LM (arguments). Stage boundaries must fall between layers.")
final class ExportCommand implements Runnable {
    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "Plan file (modelpar-plan/1).")
    Path plan;

    @Option(names = "--format", required = true, paramLabel = "F", description = "deepspeed, torch or megatron.")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the export here instead of stdout.")
    Path out;

    @Mixin
    PlanGraphOptions graph;

    @Mixin
    ClusterOption cluster;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        ExportFormat f = ExportFormat.parse(format);
        PlanFile file = PlanJson.read(plan);
        ComputationGraph g = graph.resolve(plan, file.plan());
        Export export = Exporter.export(g, file.plan(), cluster.resolveFor(plan, file.plan()), f);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (out == null) {
            stdout.print(export.text());
        } else {
            TextFiles.write(out, export.text());
            stdout.println("wrote " + f + " export of " + plan + " (" + file.plan().pipelineStages() + " stages) to " + out);
        }
        export.notes().forEach(n -> stderr.println("note: " + n));
        stdout.flush();
        stderr.flush();
    }
}
