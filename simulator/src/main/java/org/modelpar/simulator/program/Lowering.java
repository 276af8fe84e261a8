package org.modelpar.simulator.program;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.cost.ExpertTraffic;
import org.modelpar.simulator.cost.StateBytes;
import org.modelpar.simulator.cost.TensorTraffic;
import org.modelpar.simulator.plan.ParameterUnit;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.TiedWeight;

/**
 * Lowers a plan to a {@link StepProgram}: one ordered instruction list per device. The simulator's engine
 * and the executor's interpreter give the program the same meaning:
 *
 * <ul>
 *   <li><b>Order.</b> Device group g runs its stages' passes in the order of {@link ScheduleOrder} (GPipe,
 *       1F1B, Megatron-LM's interleaved 1F1B over the v stages g, g + p, ..., or ZB-H1). Every device of the
 *       group has one program holding the instructions of all its stages.</li>
 *   <li><b>Forward of micro-batch k:</b> a {@link Recv} of activations per producing device (every earlier
 *       stage that sends this stage tensors, also non-adjacent ones), then {@link Compute} forward, then a
 *       {@link Send} of activations per consuming device of every later stage.</li>
 *   <li><b>Tensor and expert parallelism:</b> with t above 1, each {@link Compute} is followed by the
 *       {@link TensorCollective} of its pass over the replica's t devices ({@link TensorTraffic}; none for a
 *       stage without collectives); with expert parallelism, then by the pass's {@link ExpertAllToAll}
 *       ({@link ExpertCollectives}), and the routed experts' gradients get an {@link ExpertAllReduce} next to
 *       the data-parallel reduction.</li>
 *   <li><b>Backward of micro-batch k:</b> a {@link Recv} of gradients per consuming device, {@link Compute}
 *       backward (re-running the forward first when the stage recomputes), {@link Free} of micro-batch
 *       k's stashed activations, then a {@link Send} of gradients per producing device. A split backward
 *       (ZB-H1) is the input-gradient {@link Compute} with the receives before it and the sends after it, and,
 *       later in the order, the weight-gradient {@link Compute} followed by the {@link Free}.</li>
 *   <li><b>Scatter/gather:</b> each tensor rank sends and receives 1/t of a boundary tensor; without sequence
 *       parallelism the receives of a forward or backward are followed by a {@link BoundaryAllGather} over the
 *       replica's t devices, before its compute.</li>
 *   <li><b>End of step:</b> an {@link AllReduce} of the device's gradients over its data-parallel group
 *       (the devices of the stage with the same tensor rank, in replica order; omitted for one replica or
 *       no parameters; with {@code overlapGradientReduce} it is placed right before the stage's last
 *       backward or weight-gradient {@link Compute} instead, starts with it and gates only the
 *       {@link OptimizerStep}), then for each
 *       weight tied across stages that the stage holds ({@link TiedWeight}) an {@link AllReduce} of its gradient over the devices of those stages with the same tensor rank, in
 *       stage then replica order, then with sequence parallelism the step-end {@link TensorCollective} of each stage
 *       with layer norms (the all-reduce of their gradients over the replica's t devices, once per step:
 *       {@link TensorCollective#stepEnd}), then {@link OptimizerStep}; a device group with several stages does each of
 *       these for all its stages in stage order before the next. With ZeRO stage 1 the gradient all-reduce
 *       is a {@link ReduceScatter}; with stage 2 every backward runs unit by unit, each unit's gradients
 *       reduce-scattered after its part;
 *       with both the parameters are all-gathered ({@link AllGather}) after the optimizer step; with stage 3 every
 *       pass runs unit by unit, each unit's parameters all-gathered one unit ahead and its gradients
 *       reduce-scattered after its backward ({@link ZeroCollectives#pass}).</li>
 *   <li><b>Sample slices.</b> Replica r of a stage with d replicas holds samples
 *       {@code [r b/d, (r+1) b/d)} of each micro-batch of b samples. Between two stages, every pair of
 *       replicas whose slices overlap exchanges the overlap, tensor rank k to tensor rank k; each tensor
 *       rank sends the whole boundary tensor of its samples, or 1/t of it with sequence parallelism (its part
 *       of the sequence) or scatter/gather. Message bytes are the boundary tensors' fp32 bytes per sample x
 *       samples, scaled to the precision (and / t when split), rounded up.</li>
 *   <li><b>Streams.</b> {@link Compute}, {@link Free} and {@link OptimizerStep} run one after another on
 *       the device's compute stream, each after every {@link Recv} and {@link AllReduce} placed before it
 *       has completed. A {@link Send} starts once the compute instruction before it has finished and is
 *       non-blocking (like NCCL isend): sends proceed concurrently on the communication stream, sharing link
 *       bandwidth. A {@link Recv} completes when its matching {@link Send} (same sender, receiver and payload,
 *       matched in program order, as MPI orders messages) has arrived. An {@link AllReduce} starts once
 *       every member has finished the compute instruction before it.</li>
 * </ul>
 */
public final class Lowering {
    private Lowering() {
    }

    /** Validates the plan against graph and cluster, then lowers it. */
    public static StepProgram lower(ComputationGraph graph, ClusterSpec cluster, PlacementPlan plan) {
        return lower(PlanValidator.validate(plan, graph, cluster));
    }

    /** Lowers a validated plan: one program per device, the devices of each device group in stage order. */
    public static StepProgram lower(PlanLayout layout) {
        return lower(layout, -1);
    }

    /**
     * The programs of the devices of one tensor rank only, in the same order: what the simulator runs when every
     * tensor rank of a replica runs the same program on identical hardware (the other ranks' programs differ
     * only in the devices they name). Not a complete step program: the executor runs {@link #lower(PlanLayout)}.
     */
    public static StepProgram lowerTensorRank(PlanLayout layout, int rank) {
        if (rank < 0 || rank >= layout.plan().tensorParallel()) {
            throw new IllegalArgumentException("tensor rank " + rank + " is outside [0, " + layout.plan().tensorParallel() + ")");
        }
        return lower(layout, rank);
    }

    /** The programs of every device ({@code onlyRank} -1) or of the devices of tensor rank {@code onlyRank}. */
    private static StepProgram lower(PlanLayout layout, int onlyRank) {
        PlacementPlan plan = layout.plan();
        List<DeviceProgram> programs = new ArrayList<>(plan.devices().size());
        List<Peers> in = new ArrayList<>();
        List<Peers> out = new ArrayList<>();
        List<List<ParameterUnit>> units = new ArrayList<>();
        for (int s = 0; s < plan.pipelineStages(); s++) {
            in.add(Peers.of(layout.stage(s).inputsFrom()));
            out.add(Peers.of(layout.stage(s).outputsTo()));
            units.add(ZeroCollectives.units(layout, s));
        }
        for (int g = 0; g < plan.pipelineDegree(); g++) {
            List<ScheduleOrder.Slot> slots = ScheduleOrder.of(plan, g);
            // the last pass that completes each stage's weight gradients: an overlapped all-reduce starts with it
            int[] lastGradientPass = new int[plan.pipelineStages()];
            for (int n = 0; n < slots.size(); n++) {
                if (slots.get(n).direction().releasesStash()) {
                    lastGradientPass[slots.get(n).stage()] = n;
                }
            }
            List<String> devices = plan.stages().get(g).devices();
            for (int i = 0; i < devices.size(); i++) {
                if (onlyRank >= 0 && i % plan.tensorParallel() != onlyRank) {
                    continue;
                }
                programs.add(program(layout, g, slots, lastGradientPass, i / plan.tensorParallel(), i % plan.tensorParallel(),
                        in, out, units));
            }
        }
        return new StepProgram(plan, programs);
    }

    /** The stages a stage exchanges boundary tensors with, and the fp32 bytes per sample of each. */
    private record Peers(int[] stages, long[] bytesPerSample) {
        static Peers of(Map<Integer, Long> peers) {
            int[] stages = new int[peers.size()];
            long[] bytes = new long[peers.size()];
            int i = 0;
            for (Map.Entry<Integer, Long> e : peers.entrySet()) {
                stages[i] = e.getKey();
                bytes[i++] = e.getValue();
            }
            return new Peers(stages, bytes);
        }
    }

    private static DeviceProgram program(PlanLayout layout, int group, List<ScheduleOrder.Slot> slots,
                                         int[] lastGradientPass, int replica, int rank, List<Peers> inputs,
                                         List<Peers> outputs, List<List<ParameterUnit>> units) {
        PlacementPlan plan = layout.plan();
        List<Instruction> program = new ArrayList<>(6 * slots.size() + 4 * plan.virtualStages());
        int p = plan.pipelineDegree();
        int t = plan.tensorParallel();
        long gradientBytes = StateBytes.of(plan.precision(), plan.optimizer()).gradients();
        List<Integer> chunks = new ArrayList<>();
        for (int s = group; s < plan.pipelineStages(); s += p) {
            chunks.add(s);
        }
        Map<Integer, List<String>> dataGroups = new HashMap<>();
        Map<Integer, TensorTraffic[]> traffic = new HashMap<>();
        Map<Integer, ExpertTraffic[]> experts = new HashMap<>();
        for (int stage : chunks) {
            dataGroups.put(stage, rankGroup(plan, List.of(stage), rank));
            traffic.put(stage, new TensorTraffic[] {TensorTraffic.of(layout, stage, false), TensorTraffic.of(layout, stage, true),
                    TensorTraffic.ofWeightPass(layout, stage)});
            experts.put(stage, new ExpertTraffic[] {ExpertTraffic.of(layout, stage, false), ExpertTraffic.of(layout, stage, true),
                    ExpertTraffic.ofWeightPass(layout, stage)});
        }
        List<String> tensorGroup = List.copyOf(plan.stages().get(group).devices().subList(replica * t, (replica + 1) * t));
        TensorCollective.Kind kind = plan.options().sequenceParallel()
                ? TensorCollective.Kind.REDUCE_SCATTER_ALL_GATHER : TensorCollective.Kind.ALL_REDUCE;
        for (int n = 0; n < slots.size(); n++) {
            ScheduleOrder.Slot slot = slots.get(n);
            int stage = slot.stage();
            int mb = slot.microBatch();
            Direction direction = slot.direction();
            boolean recompute = plan.stages().get(stage).recompute();
            List<String> dataGroup = dataGroups.get(stage);
            if (direction == Direction.FORWARD) {
                exchange(plan, stage, replica, rank, mb, Payload.ACTIVATION, inputs.get(stage), false, program);
                BoundaryAllGather.of(layout, stage, mb, Payload.ACTIVATION, tensorGroup).ifPresent(program::add);
                ZeroCollectives.pass(layout, stage, units.get(stage), mb, direction, recompute, dataGroup, program);
                tensorCollective(stage, mb, direction, traffic.get(stage)[0], tensorGroup, kind, program);
                ExpertCollectives.allToAll(layout, stage, replica, rank, mb, direction, experts.get(stage)[0]).ifPresent(program::add);
                exchange(plan, stage, replica, rank, mb, Payload.ACTIVATION, outputs.get(stage), true, program);
                continue;
            }
            if (direction.handsOnGradients()) {
                exchange(plan, stage, replica, rank, mb, Payload.GRADIENT, outputs.get(stage), false, program);
                BoundaryAllGather.of(layout, stage, mb, Payload.GRADIENT, tensorGroup).ifPresent(program::add);
            }
            if (plan.options().overlapGradientReduce() && lastGradientPass[stage] == n && reduces(layout, stage)) {
                program.add(ZeroCollectives.gradientReduce(layout, stage, dataGroup, true));
            }
            if (plan.options().overlapGradientReduce() && lastGradientPass[stage] == n) {
                ExpertCollectives.gradientReduce(layout, stage, replica, rank, true).ifPresent(program::add);
            }
            ZeroCollectives.pass(layout, stage, units.get(stage), mb, direction, recompute, dataGroup, program);
            int part = direction.handsOnGradients() ? 1 : 2; // the backward or its input part, else its weight part
            tensorCollective(stage, mb, direction, traffic.get(stage)[part], tensorGroup, kind, program);
            ExpertCollectives.allToAll(layout, stage, replica, rank, mb, direction, experts.get(stage)[part]).ifPresent(program::add);
            if (direction.releasesStash()) {
                program.add(new Free(stage, mb));
            }
            if (direction.handsOnGradients()) {
                exchange(plan, stage, replica, rank, mb, Payload.GRADIENT, inputs.get(stage), true, program);
            }
        }
        for (int stage : chunks) {
            if (reduces(layout, stage) && !plan.options().overlapGradientReduce()) {
                program.add(ZeroCollectives.gradientReduce(layout, stage, dataGroups.get(stage), false));
            }
            if (!plan.options().overlapGradientReduce()) {
                ExpertCollectives.gradientReduce(layout, stage, replica, rank, false).ifPresent(program::add);
            }
        }
        for (int stage : chunks) {
            for (TiedWeight w : layout.tiedWeights()) {
                if (w.stages().contains(stage)) {
                    long bytes = layout.parameterShare(w) * gradientBytes;
                    program.add(new AllReduce(w.ownerStage(), rankGroup(plan, w.stages(), rank), bytes, w.op()));
                }
            }
        }
        for (int stage : chunks) {
            long norms = layout.sequenceParallelNormParameters(stage);
            if (norms > 0) {
                program.add(TensorCollective.stepEnd(stage, tensorGroup, norms * gradientBytes));
            }
        }
        for (int stage : chunks) {
            program.add(new OptimizerStep(stage));
        }
        for (int stage : chunks) {
            if (ZeroCollectives.gathers(layout, stage, AllGather.Phase.AFTER_STEP)) {
                program.add(ZeroCollectives.parameterGather(layout, stage, dataGroups.get(stage)));
            }
        }
        String device = plan.stages().get(group).devices().get(replica * t + rank);
        return new DeviceProgram(device, group, replica, rank, program);
    }

    /**
     * Whether a stage reduces its gradients over data-parallel replicas once a step (more than one, and parameters,
     * and not unit by unit).
     */
    private static boolean reduces(PlanLayout layout, int stage) {
        return layout.plan().dataParallel(stage) > 1 && layout.parameterShare(stage) > 0
                && !ZeroCollectives.reducesPerUnit(layout, stage);
    }


    /** Adds the {@link TensorCollective} of a pass over the replica's devices, when it has any collectives. */
    private static void tensorCollective(int stage, int mb, Direction direction, TensorTraffic traffic, List<String> group,
                                         TensorCollective.Kind kind, List<Instruction> out) {
        if (traffic.collectives() > 0) {
            out.add(new TensorCollective(stage, mb, direction, group, traffic.bytes(), traffic.collectives(), kind));
        }
    }

    /** The devices of {@code stages} with tensor rank {@code rank}, in stage then replica order. */
    private static List<String> rankGroup(PlacementPlan plan, List<Integer> stages, int rank) {
        List<String> group = new ArrayList<>();
        for (int s : stages) {
            List<String> devices = plan.stages().get(s).devices();
            for (int r = 0; r < plan.dataParallel(s); r++) {
                group.add(devices.get(r * plan.tensorParallel() + rank));
            }
        }
        return group;
    }

    /**
     * Adds the Send (when {@code send}) or Recv instructions between this device and the devices of the
     * {@code peers} stages (stage -> fp32 bytes per sample) whose sample slices overlap its own.
     */
    private static void exchange(PlacementPlan plan, int stage, int replica, int rank, int mb, Payload payload,
                                 Peers peers, boolean send, List<Instruction> out) {
        int b = plan.microBatchSize();
        int mine = b / plan.dataParallel(stage);
        int first = replica * mine;
        int cb = plan.precision().computeBytes();
        long split = 4L * (plan.options().splitsMessages() ? plan.tensorParallel() : 1);
        for (int p = 0; p < peers.stages.length; p++) {
            int other = peers.stages[p];
            int theirs = b / plan.dataParallel(other);
            List<String> devices = plan.stages().get(other).devices();
            for (int q = first / theirs; q * theirs < first + mine; q++) {
                int from = Math.max(first, q * theirs);
                int count = Math.min(first + mine, (q + 1) * theirs) - from;
                long bytes = -Math.floorDiv(-Math.multiplyExact(peers.bytesPerSample[p], (long) count * cb), split);
                String peer = devices.get(q * plan.tensorParallel() + rank);
                out.add(send ? new Send(stage, other, mb, payload, peer, bytes, from, count)
                        : new Recv(stage, other, mb, payload, peer, bytes, from, count));
            }
        }
    }
}
