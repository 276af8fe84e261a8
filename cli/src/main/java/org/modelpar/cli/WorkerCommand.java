package org.modelpar.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import org.modelpar.executor.train.TrainResult;
import org.modelpar.executor.transport.LinkProbeServer;
import org.modelpar.executor.worker.Rendezvous;
import org.modelpar.executor.worker.Worker;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.modelpar.workflow.TrainAndCompare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar worker}: one process of a multi-process run, one per device of the plan. Rank 0, given
 * {@code --plan}, is also the coordinator (it serves the rendezvous and prints the run); every other rank
 * needs only the rendezvous, from flags or the launcher's environment (docs/executor.md). With
 * {@code --probe-port} it serves link probes for {@code modelpar profile --hosts} instead.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Runs one device of a plan as a worker process (Slurm, Kubernetes, or train --workers processes).")
final class WorkerCommand implements Runnable {
    @Option(names = "--coordinator", paramLabel = "HOST[:PORT]", description = "The coordinator (rank 0); default from the environment.")
    String coordinator;

    @Option(names = "--rank", paramLabel = "R", description = "This process's rank; default from the environment.")
    Integer rank;

    @Option(names = "--world-size", paramLabel = "N", description = "Number of worker processes; default from the environment.")
    Integer worldSize;

    @Option(names = "--advertise", paramLabel = "HOST", description = "Host the other workers reach this one at (default: 127.0.0.1 "
            + "when the coordinator is on loopback, else this machine's IP address).")
    String advertise;

    @Option(names = "--probe-port", paramLabel = "PORT", description = "Instead of training: serve link probes on PORT until stopped,"
            + " for modelpar profile --hosts (no rendezvous needed).")
    Integer probePort;

    @Option(names = "--plan", paramLabel = "FILE", description = "Rank 0: the plan to train (makes it the coordinator).")
    Path plan;

    @Option(names = "--steps", defaultValue = "10", paramLabel = "N", description = "Rank 0: steps to train (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Rank 0: seed of weights and data (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lr", paramLabel = "X", description = "Rank 0: learning rate (default 0.003 for Adam, 0.05 for SGD).")
    Double learningRate;

    @Mixin
    GraphOptions graphOptions;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--checkpoint-dir", paramLabel = "D", description = "Rank 0: write the assembled checkpoint after every step.")
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "D", description = "Continue from the checkpoint in D (every rank reads it).")
    Path resume;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (probePort != null) {
            serveProbes();
            return;
        }
        Rendezvous r;
        try {
            r = Rendezvous.resolve(Optional.ofNullable(coordinator), Optional.ofNullable(rank), Optional.ofNullable(worldSize),
                    System.getenv());
        } catch (IllegalArgumentException e) {
            throw new CliInputException(e.getMessage());
        }
        String host = advertise != null ? advertise : r.loopback() ? "127.0.0.1" : ownAddress();
        if (r.rank() != 0 || plan == null) {
            Worker.run(r, host);
            return;
        }
        PlacementPlan p = PlanJson.read(plan).plan();
        ComputationGraph graph = graphOptions.loadFor(plan, p);
        ClusterSpec c = cluster.resolveFor(plan, p);
        double lr = learningRate != null ? learningRate : TrainAndCompare.defaultLearningRate(p.optimizer());
        PrintWriter out = spec.commandLine().getOut();
        TrainResult result = TrainAndCompare.coordinate(graph, c, p, new TrainAndCompare.Settings(steps, seed, lr,
                Optional.ofNullable(checkpointDir), Optional.ofNullable(resume), Optional.empty(), false), r, host, s -> {
                    out.printf("step %d loss %.6f (%.1f ms)%n", s.step(), s.loss(), s.seconds() * 1e3);
                    out.flush();
                });
        out.printf("parameters sha256 %s%n", result.parameterSha256());
        out.flush();
    }

    /** Serves link probes until the process is stopped. */
    private void serveProbes() {
        if (probePort < 0 || probePort > 65535) {
            throw new CliInputException("--probe-port must be in [0, 65535], got " + probePort);
        }
        String host = advertise != null ? advertise : ownAddress();
        String bind = host.equals("127.0.0.1") ? host : "0.0.0.0";
        LinkProbeServer probes;
        try {
            probes = new LinkProbeServer(bind, probePort, host);
        } catch (UncheckedIOException e) {
            throw new CliInputException(e.getMessage()); // a port another process holds: the user picks another
        }
        try (probes) {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("serving link probes on %s:%d (modelpar profile --hosts ...,%s:%d,...)%n", bind, probes.port(), host, probes.port());
            out.flush();
            probes.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ownAddress() {
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new CliInputException("cannot find this machine's address (" + e.getMessage() + "); give --advertise HOST");
        }
    }
}
