package org.modelpar.simulator.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.simulator.Fixtures;
import org.modelpar.simulator.ParallelConfig;
import org.modelpar.simulator.StageBalancer;
import org.modelpar.simulator.cost.RooflineCostModel;
import org.modelpar.simulator.engine.Engine;
import org.modelpar.simulator.engine.StepRun;
import org.modelpar.simulator.plan.OptimizerKind;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Precision;
import org.modelpar.simulator.plan.Recompute;
import org.modelpar.simulator.plan.Schedule;

/** The one owner of per-instruction FLOPs: the engine's counts are its sums, and its rules on gpt-tiny by hand. */
class InstructionFlopsTest {
    private static final ComputationGraph GPT = ModelZoo.build("gpt-tiny");
    private static final ClusterSpec CLUSTER = Fixtures.cluster(2, 4, new LinkProfile(1e11, 1e-6), new LinkProfile(1e10, 5e-6));

    private static PlanLayout layout(Recompute recompute, int zeroStage) {
        // p = 2, t = 2, d = 2, micro-batches of 2 samples per replica
        PlacementPlan plan = StageBalancer.plan(GPT, CLUSTER, new ParallelConfig(2, 2, 2, 4, 2, Schedule.ONE_F_ONE_B,
                recompute, Precision.BF16, OptimizerKind.ADAM), new RooflineCostModel());
        return PlanValidator.validate(plan.withOptions(PlanOptions.NONE.withZeroStage(zeroStage)), GPT, CLUSTER);
    }

    @Test
    void theEngineCountsEachDevicesInstructions() {
        for (int zero : new int[] {0, 3}) {
            PlanLayout layout = layout(Recompute.FULL, zero);
            InstructionFlops flops = new InstructionFlops(layout);
            StepProgram program = Lowering.lower(layout);
            StepRun run = Engine.run(program, layout, CLUSTER, new RooflineCostModel(), false);
            for (int d = 0; d < program.programs().size(); d++) {
                double executed = 0;
                double model = 0;
                for (Instruction i : program.programs().get(d).instructions()) {
                    executed += flops.executed(i);
                    model += flops.model(i);
                }
                assertThat(run.devices().get(d).executedFlops()).isEqualTo(executed);
                assertThat(run.devices().get(d).modelFlops()).isEqualTo(model);
            }
        }
    }

    /** A forward does its ops' FLOPs x 2 samples / t = 2; a full recompute adds the forward of its layers' ops only. */
    @Test
    void passesByHand() {
        PlanLayout layout = layout(Recompute.FULL, 0);
        InstructionFlops flops = new InstructionFlops(layout);
        List<OpNode> ops = layout.stage(1).ops();
        double forward = ops.stream().mapToDouble(OpNode::forwardFlops).sum();
        double backward = ops.stream().mapToDouble(OpNode::backwardFlops).sum();
        double layers = ops.stream().filter(op -> op.layer().startsWith("block")).mapToDouble(OpNode::forwardFlops).sum();
        assertThat(layers).isPositive().isLessThan(forward); // the last stage also holds the logits, which are not recomputed
        assertThat(flops.model(new Compute(1, 1, Direction.FORWARD, true))).isEqualTo(forward);
        assertThat(flops.model(new Compute(1, 1, Direction.BACKWARD, true))).isEqualTo(backward);
        assertThat(flops.executed(new Compute(1, 1, Direction.BACKWARD, true))).isEqualTo(backward + layers);
        assertThat(flops.executed(new Free(1, 1))).isZero();
        // ZeRO-3's unit parts of a pass add up to the pass
        PlanLayout zero = layout(Recompute.FULL, 3);
        InstructionFlops unitFlops = new InstructionFlops(zero);
        int parts = (int) Lowering.lower(zero).programs().stream().filter(p -> p.stage() == 1).findFirst().orElseThrow()
                .instructions().stream()
                .filter(i -> i instanceof Compute c && c.direction() == Direction.FORWARD && c.microBatch() == 0).count();
        assertThat(parts).isGreaterThan(1);
        double sum = 0;
        for (int u = 0; u < parts; u++) {
            sum += unitFlops.executed(new Compute(1, 0, Direction.BACKWARD, true, u, parts));
        }
        assertThat(sum).isCloseTo(backward + layers, offset(1e-9 * backward));
    }
}
