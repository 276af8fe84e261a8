package org.modelpar.executor;

import java.util.List;
import java.util.Optional;
import org.modelpar.executor.kernel.ExpertGroup;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.executor.kernel.TensorParallel;
import org.modelpar.executor.model.Boundary;
import org.modelpar.executor.model.StageModel;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.TiedWeight;
import org.nd4j.linalg.api.buffer.DataType;

/** What this executor runs of a plan: the one place that says which plans it refuses and why. */
public final class PlanSupport {
    private PlanSupport() {
    }

    /**
     * Checks that the executor runs the plan's settings on this graph.
     *
     * @throws PlanException naming the first setting it does not run, and the value
     */
    public static void check(ComputationGraph graph, PlacementPlan plan) {
        checkExpertParallel(graph, plan);
        checkZeroThree(graph, plan);
        if (plan.schedule().splitsBackward()) {
            TensorParallel tp = TensorParallel.of(graph, TensorGroup.shapeOnly(plan.tensorParallel(), 0));
            for (OpNode op : graph.ops()) {
                if (!Kernels.create(op, 1, tp).splitsBackward()) {
                    throw new PlanException("the executor runs schedule " + plan.schedule().jsonName() + " only with kernels that"
                            + " split their backward into input and weight gradients; op '" + op.id() + "' (" + op.kind()
                            + ") does not");
                }
            }
        }
        for (TiedWeight w : TiedWeight.of(plan, graph)) {
            long groups = w.stages().stream().map(s -> s % plan.pipelineDegree()).distinct().count();
            if (groups < w.stages().size()) {
                throw new PlanException("the executor needs the stages sharing weight '" + w.op() + "' on different devices;"
                        + " the plan runs its stages " + w.stages() + " on " + groups + " device group(s) of " + plan.pipelineDegree());
            }
        }
        checkTensorDegree(graph, plan.tensorParallel());
        checkSequenceParallel(graph, plan.tensorParallel(), plan.options().sequenceParallel());
        checkScatterGather(graph, plan);
    }

    /**
     * Pipeline messages scattered over the tensor ranks are cut along the sequence, or in a graph without one along a
     * micro-batch's samples: the tensor degree must divide it, or them on every stage ({@link MessageScatter}).
     */
    private static void checkScatterGather(ComputationGraph graph, PlacementPlan plan) {
        int t = plan.tensorParallel();
        if (t == 1 || !plan.options().gathersMessages()) {
            return;
        }
        Optional<Long> seq = MessageScatter.sequence(graph);
        if (seq.isPresent()) {
            if (seq.get() % t != 0) {
                throw new PlanException("the executor scatters the pipeline messages of graph '" + graph.name() + "' over the"
                        + " tensor ranks along the sequence; tensor degree " + t + " does not divide seq " + seq.get());
            }
            return;
        }
        for (int s = 0; s < plan.pipelineStages(); s++) {
            int samples = plan.microBatchSize() / plan.dataParallel(s);
            if (samples % t != 0) {
                throw new PlanException("the executor scatters the pipeline messages of graph '" + graph.name() + "' (no sequence)"
                        + " over the tensor ranks by samples; tensor degree " + t + " does not divide the " + samples
                        + " samples a replica of stage " + s + " computes at once");
            }
        }
    }

    /**
     * The type kernels compute in: the master type for fp32 plans, bf16 or fp16 for mixed-precision ones (every
     * kernel runs in both on ND4J's CPU and CUDA backends; the master weights and optimizer stay in {@code master}).
     */
    public static DataType computeType(Precision precision, DataType master) {
        return switch (precision) {
            case FP32 -> master;
            case BF16 -> DataType.BFLOAT16;
            case FP16 -> DataType.HALF;
        };
    }

    /** Whether the executor splits every op of {@code graph} over a tensor-parallel group of {@code degree}. */
    public static boolean runsTensorDegree(ComputationGraph graph, int degree) {
        try {
            checkTensorDegree(graph, degree);
            return true;
        } catch (PlanException e) {
            return false;
        }
    }

    /** Whether the executor runs {@code graph} with sequence parallelism over a tensor-parallel group of {@code degree}. */
    public static boolean runsSequenceParallel(ComputationGraph graph, int degree) {
        try {
            checkTensorDegree(graph, degree);
            checkSequenceParallel(graph, degree, true);
            return true;
        } catch (PlanException e) {
            return false;
        }
    }

    /**
     * Expert parallelism: on a graph with experts (as the simulator requires), spread whole and evenly over the group
     * ({@link ExpertGroup#holder}).
     */
    private static void checkExpertParallel(ComputationGraph graph, PlacementPlan plan) {
        int e = plan.options().expertParallel();
        PlanValidator.checkExpertParallel(graph, e);
        for (OpNode op : graph.ops()) {
            Kernels.create(op, 1, TensorParallel.NONE, ExpertGroup.shapeOnly(e, 0));
        }
    }

    /**
     * ZeRO stage 3 runs each pass unit by unit ({@link StageModel#unitByUnitProblem}), gathering only the running
     * unit's parameters; a split backward's weight-gradient pass runs without them gathered (as the lowering emits it),
     * so every kernel's weight pass must read none ({@link Kernel#weightPassReadsParameters}).
     */
    private static void checkZeroThree(ComputationGraph graph, PlacementPlan plan) {
        if (plan.options().zeroStage() < 3) {
            return;
        }
        if (plan.schedule().splitsBackward()) {
            List<String> reading = graph.ops().stream()
                    .filter(op -> Kernels.create(op, 1, TensorParallel.NONE).weightPassReadsParameters())
                    .map(op -> "'" + op.id() + "' (" + op.kind() + ")").toList();
            if (!reading.isEmpty()) {
                throw new PlanException("the executor runs ZeRO stage 3 with schedule " + plan.schedule().jsonName()
                        + " only with kernels whose weight-gradient pass reads no parameters (it runs without them gathered);"
                        + " the weight pass of " + reading.size() + " op(s) reads them (a routed expert recomputes its first layer): "
                        + String.join(", ", reading.subList(0, Math.min(3, reading.size())))
                        + (reading.size() > 3 ? ", ..." : ""));
            }
        }
        Boundary boundary = new Boundary(graph, plan);
        for (int s = 0; s < plan.pipelineStages(); s++) {
            Optional<String> problem = plan.dataParallel(s) == 1 ? Optional.empty()
                    : new StageModel(graph, boundary, s, plan.globalBatchSize()).unitByUnitProblem();
            if (problem.isPresent()) {
                throw new PlanException("the executor runs ZeRO stage 3 unit by unit, which stage " + s + " cannot: "
                        + problem.get());
            }
        }
    }

    private static void checkSequenceParallel(ComputationGraph graph, int degree, boolean on) {
        TensorParallel.of(graph, TensorGroup.shapeOnly(degree, 0), on);
    }

    private static void checkTensorDegree(ComputationGraph graph, int degree) {
        TensorParallel tp = TensorParallel.of(graph, TensorGroup.shapeOnly(degree, 0));
        for (OpNode op : graph.ops()) {
            Kernels.create(op, 1, tp);
        }
    }
}
