package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.graph.zoo.Preset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code modelpar models}: the built-in models with their sizes. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Lists the built-in models.")
final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Preset p : ModelZoo.presets()) {
            ComputationGraph g = p.build();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", p.name());
            row.put("parameterCount", GraphSummary.parameterCount(g));
            row.put("opCount", g.opCount());
            row.put("description", p.description());
            rows.add(row);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, Map.of("models", rows));
        } else {
            out.printf("%-15s %10s  %s%n", "MODEL", "PARAMETERS", "DESCRIPTION");
            for (Map<String, Object> r : rows) {
                out.printf("%-15s %10s  %s%n", r.get("name"), HumanUnits.count((Long) r.get("parameterCount")), r.get("description"));
            }
            out.println();
            out.println("Also: gpt:layers=L,hidden=H,heads=A,seq=S,vocab=V[,ffn=F], mlp:layers=L,width=W and dag:ops=N,seed=S[,width=W] (seeded random DAG)");
        }
        out.flush();
        return 0;
    }
}
