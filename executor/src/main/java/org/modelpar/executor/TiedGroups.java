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
     * The device groups of each tied weight ({@link TiedWeight}): the devices of the stages holding it with the
     * same tensor rank (each holds the same part), one summand per stage; its parameter is the owner's that every
     * holding stage reads.
     */
    static Map<String, List<RunContext.Tied>> of(ComputationGraph graph, StepProgram program, List<StageModel> stages) {
        Map<String, List<RunContext.Tied>> out = new HashMap<>();
        int t = program.plan().tensorParallel();
        for (TiedWeight w : TiedWeight.of(program.plan(), graph)) {
            for (ParameterSpec p : stages.get(w.ownerStage()).parameters()) {
                boolean shared = p.name().startsWith(w.op() + ".") && w.stages().stream()
                        .allMatch(s -> stages.get(s).parameters().stream().anyMatch(q -> q.name().equals(p.name())));
                for (int rank = 0; shared && rank < t; rank++) {
                    List<String> members = new ArrayList<>();
                    List<String> summands = new ArrayList<>();
                    for (int s : w.stages()) {
                        List<String> devs = program.plan().stages().get(s).devices();
                        for (int d = rank; d < devs.size(); d += t) {
                            members.add(devs.get(d));
                        }
                        summands.add(devs.get(rank));
                    }
                    requireReduce(program, w, p, members);
                    RunContext.Tied tied = new RunContext.Tied(p.name(), members, summands);
                    members.forEach(m -> out.computeIfAbsent(m, k -> new ArrayList<>()).add(tied));
                }
            }
        }
        return out;
    }

    private static void requireReduce(StepProgram program, TiedWeight w, ParameterSpec p, List<String> members) {
        for (DeviceProgram d : program.programs()) {
            if (members.contains(d.device()) && d.instructions().stream().noneMatch(i -> i instanceof AllReduce a
                    && w.op().equals(a.tiedOp()))) {
                throw new IllegalArgumentException("parameter " + p.name() + " is held by stages " + w.stages()
                        + " but device " + d.device() + "'s program has no tied all-reduce of it");
            }
        }
    }
}
