package org.modelpar.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.modelpar.executor.PlanSupport;
import org.modelpar.executor.transport.CollectiveSamples;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.zoo.ModelZoo;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.ProfileLimits;
import org.modelpar.simulator.SimulationReport;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.plan.PlanFile;
import org.modelpar.solver.InfeasibleException;
import org.modelpar.solver.PlanRequest;
import org.modelpar.solver.PlanResult;
import org.modelpar.solver.Planner;

/**
 * The search on local workers keeps to what the executor runs ({@link PlanSupport}) and searches all of it: sequence
 * parallelism only where t divides the sequence, ZeRO stages and expert parallelism like any other dimension.
 */
class LocalTrainingTest {
    private static final Path NO_HOME = Path.of("target", "no-modelpar-home");
    private static final ClusterSpec LOCAL = LocalCluster.of(2, NO_HOME, ProfileLimits.DEFAULT);

    /**
     * A plan for this machine's workers is priced over the link between worker processes, as {@code train} runs them by
     * default; a cluster of other machines is priced as it is.
     */
    @Test
    void localWorkersArePlannedAsWorkerProcesses() {
        DeviceProfile cpu = LOCAL.devices().get(0).profile();
        LinkProfile threads = new LinkProfile(5e9, 80e-6);
        LinkProfile processes = new LinkProfile(2e8, 400e-6);
        ClusterSpec measured = new ClusterSpec("local:2", List.of(new ClusterDevice("cpu0", LocalCluster.NODE, cpu),
                new ClusterDevice("cpu1", LocalCluster.NODE, cpu)), threads, threads, Map.of(), Map.of(), Map.of(),
                Map.of(LocalCluster.NODE, processes));
        ClusterSpec planned = LocalTraining.plannedCluster(measured);
        assertThat(planned.link(planned.devices().get(0), planned.devices().get(1))).isEqualTo(processes);
        ClusterSpec elsewhere = new ClusterSpec("two-hosts", List.of(new ClusterDevice("cpu0", "n0", cpu),
                new ClusterDevice("cpu1", "n0", cpu)), threads, threads, Map.of(), Map.of(), Map.of(), Map.of("n0", processes));
        assertThat(LocalTraining.plannedCluster(elsewhere)).isSameAs(elsewhere);
    }

    /** A run of any length samples every steady step up to 30 of them, then every k-th: between 15 and 30 samples. */
    @Test
    void calibrationSamplesAtMostThirtySteadySteps() {
        assertThat(CalibratedPrediction.sampleEvery(0)).isEqualTo(1);
        assertThat(CalibratedPrediction.sampleEvery(30)).isEqualTo(1);
        assertThat(CalibratedPrediction.sampleEvery(31)).isEqualTo(2);
        assertThat(CalibratedPrediction.sampleEvery(750)).isEqualTo(25);
        for (int steady = 31; steady <= 5_000; steady++) {
            int every = CalibratedPrediction.sampleEvery(steady);
            int samples = (steady + every - 1) / every;
            assertThat(samples).as("%d steady steps", steady).isBetween(15, CalibratedPrediction.MOST_SAMPLES);
        }
    }

    /** The run's own ring steps price the simulation's while the host has a core per worker, the link's beyond. */
    @Test
    void ringStepsArePricedByTheLinkWhereWorkersOutnumberCores() {
        CollectiveSamples measured = new CollectiveSamples(40, 0.02, 640_000, 10, 0.004, 160_000);
        assertThat(CalibratedPrediction.pricedRingSteps(measured, false)).isSameAs(measured);
        CollectiveSamples wakes = new CollectiveSamples(0, 0, 0, 10, 0.004, 160_000);
        assertThat(CalibratedPrediction.pricedRingSteps(measured, true)).as("the wakes alone").isEqualTo(wakes);
        assertThat(CalibratedPrediction.oversubscribed(2, 2)).isFalse();
        assertThat(CalibratedPrediction.oversubscribed(4, 4)).isFalse();
        assertThat(CalibratedPrediction.oversubscribed(3, 2)).isTrue();
        assertThat(CalibratedPrediction.oversubscribed(4, 2)).isTrue();
    }

    @Test
    void sequenceParallelismIsSearchedWhereTheExecutorRunsIt() {
        ComputationGraph even = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=8,vocab=8");
        ComputationGraph odd = ModelZoo.build("gpt:layers=1,hidden=16,heads=2,seq=5,vocab=8");
        PlanRequest evenRequest = LocalTraining.executable(even, LOCAL, PlanRequest.of(8));
        assertThat(evenRequest.sequenceParallel()).isEmpty();
        assertThat(evenRequest.tensor()).isEmpty();
        PlanRequest oddRequest = LocalTraining.executable(odd, LOCAL, PlanRequest.of(8));
        assertThat(oddRequest.sequenceParallel()).as("tensor degree 2 does not divide seq 5").contains(false);
        assertThat(oddRequest.tensor()).as("tensor parallelism itself runs").isEmpty();
    }

    /**
     * moe-tiny, batch 16: on 4 workers of 8 MiB pure data parallelism fits only with the optimizer state sharded (ZeRO
     * stage 1); on 2 workers of 12 MiB the fastest plan spreads the experts over both (ep=2). The simulator confirms
     * each fits below capacity minus the margin, and the executor runs it.
     */
    @Test
    void zeroAndExpertParallelismAreProposedWhereTheyAreBest() {
        ComputationGraph moe = ModelZoo.build("moe-tiny");
        PlanResult sharded = plan(moe, local(4, 8), 16);
        assertThat(sharded.best().plan().options().zeroStage()).isPositive();
        assertThat(sharded.best().explanation().lines()).anyMatch(l -> l.startsWith("decided by: ZeRO stage "
                + sharded.best().plan().options().zeroStage() + " (the only way to fit: with stage 0 it does not fit)"));
        PlanResult spread = plan(moe, local(2, 12), 16);
        assertThat(spread.best().plan().options().expertParallel()).isEqualTo(2);
        for (PlanResult r : List.of(sharded, spread)) {
            assertFitsBelowTheMargin(r.report(), PlanRequest.of(16));
            assertThatCode(() -> PlanSupport.check(moe, r.best().plan())).doesNotThrowAnyException();
        }
    }

    /** Seeded cases (models, 2 or 4 workers, budgets from tight to ample, batches): every plan proposed runs. */
    @Test
    void everyPlanProposedOnLocalWorkersPassesPlanSupport() {
        Random random = new Random(16);
        String[] models = {"gpt-tiny", "moe-tiny", "mlp-small", "gpt-mini"};
        List<String> planned = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ComputationGraph graph = ModelZoo.build(models[random.nextInt(models.length)]);
            int workers = random.nextBoolean() ? 2 : 4;
            long mib = 4L << random.nextInt(5);
            int batch = random.nextBoolean() ? 8 : 16;
            try {
                PlanResult r = plan(graph, local(workers, mib), batch);
                List<PlanFile> proposed = new ArrayList<>(List.of(r.best()));
                proposed.addAll(r.runnerUps());
                for (PlanFile f : proposed) {
                    assertThatCode(() -> PlanSupport.check(graph, f.plan())).as("%s on local:%d@%dMiB, batch %d", graph.name(),
                            workers, mib, batch).doesNotThrowAnyException();
                }
                planned.add(graph.name() + " local:" + workers + "@" + mib + "MiB");
            } catch (InfeasibleException nothingFits) {
                assertThat(nothingFits.getMessage()).startsWith("nothing fits");
            }
        }
        assertThat(planned).as("most cases fit").hasSizeGreaterThan(7);
    }

    /** A graph of ops the executor has no kernel for is refused on local workers with its reason, not planned. */
    @Test
    void aGraphTheExecutorCannotTrainIsRefused() {
        assertThatThrownBy(() -> LocalTraining.executable(ModelZoo.build("resnet50"), LOCAL, PlanRequest.of(8)))
                .isInstanceOf(PlanException.class)
                .hasMessageStartingWith("the runtime of this cluster trains no plan of this graph: op '");
    }

    private static ClusterSpec local(int workers, long mib) {
        return LocalCluster.withDeviceMemory(LocalCluster.of(workers, NO_HOME, ProfileLimits.DEFAULT), mib << 20, "budget");
    }

    private static PlanResult plan(ComputationGraph graph, ClusterSpec cluster, int batch) {
        return new Planner().plan(graph, cluster, LocalTraining.executable(graph, cluster, PlanRequest.of(batch)));
    }

    private static void assertFitsBelowTheMargin(SimulationReport report, PlanRequest request) {
        assertThat(report.devices().values()).allSatisfy(d -> assertThat(d.peakMemoryBytes())
                .isLessThanOrEqualTo(request.usableBytes(d.capacityBytes())));
    }
}
