package org.modelpar.simulator.program;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.OpNode;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.simulator.cost.HostWork;
import org.modelpar.simulator.cost.OpLaunchCounts;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.StageProfile;

/**
 * The host work of packing a collective's tensors into flat vectors and out again, as the executor does it: ZeRO's
 * packing (Rajbhandari et al., "ZeRO", SC 2020, section 7): a gradient {@link ReduceScatter} or the {@link AllGather} of
 * the updated parameters after the optimizer step runs on one flat vector into which every parameter tensor's parts are
 * copied, and out of which the member's part (or every part) is copied back ({@link HostWork#zeroReduceScatter},
 * {@link HostWork#zeroParameterGather}); a stage's data-parallel {@link AllReduce} copies each gradient tensor into its
 * bucket's flat vector and back one call at a time ({@link HostWork#perTensorCopies}: the gpt's 53 tensors are 106
 * calls, which the all-reduce's own two a bucket left out). The tensors are the collective's: the whole stage's (a tied
 * weight's copy one more) or one {@link ParameterUnit}'s, routed experts' left out under expert parallelism (their own
 * all-reduce sums them), counted as {@code device}'s runtime holds them ({@link OpLaunchCounts#parameterTensors}).
 * ZeRO stage 3's gathers before a pass copy nothing: a unit's tensors travel in one ring collective, each ring step's
 * message carrying every tensor's chunk, and each tensor is gathered whole; nor do other collectives (a tied weight's
 * all-reduce and a tensor-parallel one work on one tensor each: the all-reduce's own calls).
 */
public final class FlatPacking {
    private final PlanLayout layout;
    /** Each stage's parameter units, worked out once (a stage's unit collectives are many). */
    private final Map<Integer, List<ParameterUnit>> units = new HashMap<>();

    /** The packing of {@code layout}'s collectives. */
    public FlatPacking(PlanLayout layout) {
        this.layout = layout;
    }

    /** What {@code c} packs and unpacks on a device of {@code device}; {@link HostWork#NONE} for other collectives. */
    public HostWork of(Collective c, DeviceProfile device) {
        int n = c.group().size();
        if (c instanceof ReduceScatter rs) {
            return HostWork.zeroReduceScatter(rs.bytes(), n, tensors(rs.stage(), rs.unit(), device), rs.buckets(),
                    rs.unit() >= 0);
        }
        if (c instanceof AllGather g && g.phase() == AllGather.Phase.AFTER_STEP) {
            return HostWork.zeroParameterGather(g.bytes(), n, tensors(g.stage(), -1, device));
        }
        if (c instanceof AllReduce a && a.tiedOp().isEmpty() && n > 1) {
            return HostWork.perTensorCopies(tensors(a.stage(), -1, device), a.buckets());
        }
        return HostWork.NONE;
    }

    /** The parameter tensors of {@code stage}'s unit {@code unit}, or of the whole stage ({@code unit} -1). */
    private int tensors(int stage, int unit, DeviceProfile device) {
        StageProfile sp = layout.stage(stage);
        boolean tied = sp.tiedCopyParameterCount() > 0;
        List<OpNode> ops = sp.ops();
        if (unit >= 0) {
            List<ParameterUnit> of = units.computeIfAbsent(stage, k -> ParameterUnit.of(layout, k));
            ops = of.get(unit).ops();
            tied = tied && unit == of.size() - 1;
        }
        boolean splitExperts = layout.plan().options().expertParallel() > 1;
        return OpLaunchCounts.parameterTensors(ops.stream()
                .filter(op -> !(splitExperts && op.kind().equals(PlanLayout.EXPERT_KIND))).toList(), tied, device);
    }
}
