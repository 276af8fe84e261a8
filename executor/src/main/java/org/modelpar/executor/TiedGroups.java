package org.modelpar.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.executor.model.StageModel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.simulator.plan.TiedWeight;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.DeviceProgram;
import org.modelpar.simulator.program.StepProgram;

/** Which devices share each tied parameter, derived from the plan's {@link TiedWeight}s (their one owner). */
final class TiedGroups {
    private TiedGroups() {
    }

    /**
     * The device groups of each tied weight ({@link TiedWeight}): every device of the stages holding it, one
     * summand per stage; its parameter is the owner's that every holding stage reads.
     */
    static Map<String, List<RunContext.Tied>> of(ComputationGraph graph, StepProgram program, List<StageModel> stages) {
        Map<String, List<RunContext.Tied>> out = new HashMap<>();
        for (TiedWeight w : TiedWeight.of(program.plan(), graph)) {
            List<String> members = new ArrayList<>();
            List<String> summands = new ArrayList<>();
            for (int s : w.stages()) {
                List<String> devs = program.plan().stages().get(s).devices();
                members.addAll(devs);
                summands.add(devs.get(0));
            }
            for (ParameterSpec p : stages.get(w.ownerStage()).parameters()) {
                boolean shared = p.name().startsWith(w.op() + ".") && w.stages().stream()
                        .allMatch(s -> stages.get(s).parameters().stream().anyMatch(q -> q.name().equals(p.name())));
                if (!shared) {
                    continue;
                }
                RunContext.Tied t = new RunContext.Tied(p.name(), members, summands);
                for (DeviceProgram d : program.programs()) {
                    if (members.contains(d.device()) && d.instructions().stream().noneMatch(i -> i instanceof AllReduce a
                            && w.op().equals(a.tiedOp()))) {
                        throw new IllegalArgumentException("parameter " + p.name() + " is held by stages " + w.stages()
                                + " but device " + d.device() + "'s program has no tied all-reduce of it");
                    }
                }
                members.forEach(m -> out.computeIfAbsent(m, k -> new ArrayList<>()).add(t));
            }
        }
        return out;
    }

}
