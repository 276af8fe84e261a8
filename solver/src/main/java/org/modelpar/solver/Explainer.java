package org.modelpar.solver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ByteSize;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.DeviceReport;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.cost.CostModel;
import org.modelpar.simulator.cost.StageCosts;
import org.modelpar.simulator.plan.Explanation;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.simulator.plan.PlanLayout;
import org.modelpar.simulator.plan.PlanValidator;
import org.modelpar.simulator.plan.Recompute;

/**
 * Writes why a plan won: which search dimension decided it ({@link Dimensions}), per stage the memory
 * breakdown and headroom of its devices, the binding constraints (Timefold's score analysis of the
 * placement, in words), the bottleneck stage and the critical path from the simulator, and the runner-ups
 * with why they lost (the winner's own placement with other plan options is in the "decided by" line, not
 * among them).
 */
final class Explainer {
    private Explainer() {
    }

    /**
     * Configurations considered (enumerated before a time limit fired) and placed (not pruned by the lower
     * bound), and how each was placed ({@link StagePlacer#method()}).
     */
    record Counts(int considered, int placed, String placement) {
    }

    static PlanResult result(ComputationGraph graph, ClusterSpec cluster, CostModel cost, PlanRequest request,
                             Searched found, double seconds) {
        List<Candidate> simulated = found.simulated();
        List<MemoryNeed> needs = found.needs();
        Counts counts = found.counts();
        boolean completed = found.completed();
        Candidate best = simulated.get(0);
        List<Explanation.RunnerUp> runnerUps = new ArrayList<>();
        List<PlanFile> runnerUpFiles = new ArrayList<>();
        for (Candidate c : simulated.subList(1, simulated.size())) {
            if (runnerUps.size() >= request.runnerUps()) {
                break;
            }
            if (Dimensions.onlyPlanOptions(best, c)) {
                continue;
            }
            runnerUps.add(runnerUp(best, c));
            runnerUpFiles.add(file(graph, cluster, cost, c, Explanation.none()));
        }
        for (MemoryNeed n : needs) {
            if (runnerUps.size() >= request.runnerUps()) {
                break;
            }
            runnerUps.add(new Explanation.RunnerUp(n.configuration().label(), Double.NaN, String.format(
                    "does not fit by %s on stage %d", ByteSize.format(n.neededBytes() - n.limitBytes(), n.limitBytes()), n.stage())));
        }
        UnsplitMemory unsplit = UnsplitMemory.of(graph, cluster, request, cost);
        List<String> lines = lines(graph, cluster, cost, best, simulated.subList(1, simulated.size()), counts, completed);
        if (!unsplit.fits()) {
            lines.add(1, "split: " + unsplit.why(best.plan()));
        }
        found.pruned().forEach(p -> lines.add(p.line()));
        Deadline.line(request.timeLimit(), found.skipped()).ifPresent(lines::add);
        Explanation explanation = new Explanation(lines, runnerUps);
        return new PlanResult(file(graph, cluster, cost, best, explanation), best.report(), runnerUpFiles,
                counts.considered(), counts.placed(), simulated.size(), seconds, completed, unsplit);
    }

    private static Explanation.RunnerUp runnerUp(Candidate best, Candidate c) {
        if (c.overflow().isPresent()) {
            Candidate.Overflow o = c.overflow().get();
            return new Explanation.RunnerUp(c.label(), c.stepSeconds(), String.format(
                    "does not fit by %s on device %s", ByteSize.format(o.bytesOver(), o.limitBytes()), o.device()));
        }
        double slower = (c.stepSeconds() / best.stepSeconds() - 1) * 100;
        return new Explanation.RunnerUp(c.label(), c.stepSeconds(),
                String.format("slower by %.1f%% (differs in %s)", slower, Dimensions.words(Dimensions.differing(best, c))));
    }

    static PlanFile file(ComputationGraph graph, ClusterSpec cluster, CostModel cost, Candidate c, Explanation e) {
        PlanLayout layout = PlanValidator.validate(c.plan(), graph, cluster);
        List<Double> compute = new ArrayList<>();
        for (int s = 0; s < c.plan().pipelineStages(); s++) {
            compute.add(StageCosts.computeSeconds(layout, cluster, cost, s));
        }
        return new PlanFile(c.plan(), Optional.of(c.report().prediction()), compute, e);
    }

    private static List<String> lines(ComputationGraph graph, ClusterSpec cluster, CostModel cost, Candidate best,
                                      List<Candidate> runnerUpsOf,
                                      Counts counts, boolean completed) {
        List<String> lines = new ArrayList<>();
        SimulationReport r = best.report();
        lines.add(String.format("chosen: %s, step %.4f s, %.1f samples/s, bubble %.1f%% (%d configurations considered,"
                        + " %d placed, the rest pruned by the lower bound%s)", best.label(), r.stepSeconds(),
                r.samplesPerSecond(), r.bubbleFraction() * 100, counts.considered(), counts.placed(),
                completed ? "" : "; time limit reached"));
        lines.add("placement: " + counts.placement());
        Dimensions.decided(best, runnerUpsOf).ifPresent(lines::add);
        PlanLayout layout = PlanValidator.validate(best.plan(), graph, cluster);
        int slowest = 0;
        double slowestSeconds = -1;
        for (int s = 0; s < best.plan().pipelineStages(); s++) {
            double t = StageCosts.computeSeconds(layout, cluster, cost, s);
            if (t > slowestSeconds) {
                slowestSeconds = t;
                slowest = s;
            }
        }
        lines.add(String.format("bottleneck: stage %d, %.6f s compute per micro-batch (%d ops)", slowest,
                slowestSeconds, best.plan().stages().get(slowest).ops().size()));
        for (int s = 0; s < best.plan().pipelineStages(); s++) {
            List<String> devs = best.plan().stages().get(s).devices();
            DeviceReport d = r.devices().get(devs.get(0));
            var m = d.memory();
            double unit = ByteSize.unitBytes(d.peakMemoryBytes()); // the model's scale, not the device's: MiB for a small one
            lines.add(String.format("memory stage %d (%s..%s%s): peak %s of %s, headroom %s"
                            + " [parameters %.2f, gradients %.2f, optimizer %.2f, activations %.2f, workspace %.2f, messages %.2f %s]",
                    s, devs.get(0), devs.get(devs.size() - 1), best.plan().stages().get(s).recomputation() == Recompute.NONE ? ""
                            : ", recompute " + best.plan().stages().get(s).recomputation().jsonName(),
                    ByteSize.format(d.peakMemoryBytes()), ByteSize.format(d.capacityBytes()),
                    ByteSize.format(d.capacityBytes() - d.peakMemoryBytes()),
                    m.parameters() / unit, m.gradients() / unit, m.optimizer() / unit, m.activations() / unit,
                    m.workspace() / unit, m.messages() / unit, ByteSize.unit(d.peakMemoryBytes())));
        }
        best.constraints().forEach(c -> lines.add("constraint " + c));
        List<SimulationReport.CriticalStep> path = r.criticalPath();
        if (!path.isEmpty()) {
            Map<String, Long> perDevice = new java.util.TreeMap<>();
            path.forEach(p -> perDevice.merge(p.device(), 1L, Long::sum));
            lines.add(String.format("critical path: %d instructions over %d devices, from %s on %s to %s on %s",
                    path.size(), perDevice.size(), path.get(0).instruction(), path.get(0).device(),
                    path.get(path.size() - 1).instruction(), path.get(path.size() - 1).device()));
        }
        return lines;
    }
}
