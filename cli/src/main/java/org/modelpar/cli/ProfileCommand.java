package org.modelpar.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.modelpar.executor.Ticker;
import org.modelpar.executor.profile.LinkProbe;
import org.modelpar.executor.profile.ModelProfiler;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.MeasuredTime;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.io.GraphJson;
import org.modelpar.executor.profile.ProfileResult;
import org.modelpar.executor.profile.Profiler;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.Clusters;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.LocalCluster;
import org.modelpar.profiles.io.ClusterJson;
import org.modelpar.workflow.MachineMemory;
import org.modelpar.workflow.TextFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code modelpar profile [--devices N] [--out FILE]}: measures this machine's CPU workers and writes a
 * {@code modelpar-cluster/1} profile to FILE and to {@code $MODELPAR_HOME/profiles/local.json}, which
 * {@code local:N} then uses. {@code modelpar profile --model M --graph-out FILE [--samples K]} instead times
 * the model's ops with the executor's kernels and writes the graph with those measured times
 * ({@link ModelProfiler}), for plans on {@code local:N}. {@code modelpar profile --hosts H1:P,H2:P --cluster C --out FILE}
 * measures the links between the hosts' link probes ({@code modelpar worker --probe-port P}) over the workers'
 * transport and writes cluster C with them ({@link LinkProbe}).
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measures this machine's devices and links and writes a cluster spec.")
final class ProfileCommand implements Runnable {
    @Option(names = "--devices", defaultValue = "2", paramLabel = "N", description = "Workers in the written cluster (default ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the cluster spec here.")
    Path out;

    @Option(names = "--repetitions", defaultValue = "9", paramLabel = "R", description = "Timed repetitions per measurement (default ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Mixin
    GraphOptions graphOptions;

    @Option(names = "--graph-out", paramLabel = "FILE",
            description = "With --model or --graph: write the graph with its ops' times measured on this machine here.")
    Path graphOut;

    @Option(names = "--samples", defaultValue = "8", paramLabel = "K",
            description = "With --model or --graph: samples per timed pass (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--hosts", paramLabel = "H:P,...", split = ",",
            description = "Measure the links between these hosts' link probes (modelpar worker --probe-port P), one per node of"
                    + " --cluster in node order, and write the cluster with them to --out.")
    List<String> hosts;

    @Option(names = "--cluster", paramLabel = "C", description = "With --hosts: the cluster whose nodes the hosts are.")
    String cluster;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        if (devices < 1 || repetitions < 1) {
            throw new CliInputException("--devices and --repetitions must be at least 1, got " + devices + " and " + repetitions);
        }
        if (hosts != null) {
            profileLinks();
            return;
        }
        if (graphOptions.given()) {
            profileModel();
            return;
        }
        if (graphOut != null) {
            throw new CliInputException("--graph-out needs the model to time: give --model M or --graph FILE");
        }
        ProfileResult r = new Profiler(Ticker.system(), 3, repetitions).profile(devices);
        String text = ClusterJson.write(r.cluster());
        List<Path> written = new ArrayList<>();
        if (out != null) {
            TextFiles.write(out, text);
            written.add(out);
        }
        Path local = LocalCluster.modelparHome().resolve(LocalCluster.MEASURED);
        TextFiles.write(local, text);
        written.add(local);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            printJson(w, r, written);
        } else {
            print(w, r, written);
        }
        w.flush();
    }

    /** Measures the links between the hosts and writes the cluster carrying them. */
    private void profileLinks() {
        if (cluster == null || out == null) {
            throw new CliInputException("--hosts needs --cluster C (whose nodes the hosts are) and --out FILE (the cluster with the measured links)");
        }
        for (String h : hosts) {
            int colon = h.lastIndexOf(':');
            if (colon <= 0 || !h.substring(colon + 1).matches("\\d{1,5}") || Integer.parseInt(h.substring(colon + 1)) > 65535) {
                throw new CliInputException("--hosts: '" + h + "' is not HOST:PORT (the port of the host's modelpar worker --probe-port)");
            }
        }
        ClusterSpec c = Clusters.resolve(cluster);
        if (hosts.size() < 2) {
            throw new CliInputException("--hosts needs at least two hosts to measure a link, got " + hosts.size());
        }
        List<LinkProbe.Link> links;
        ClusterSpec measured;
        try {
            LinkProbe.requireOnePerNode(c, hosts);
            links = LinkProbe.measure(hosts, repetitions);
            measured = LinkProbe.withLinks(c, hosts, links);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliInputException("--hosts: " + e.getMessage());
        }
        TextFiles.write(out, ClusterJson.write(measured));
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = JsonOutput.object();
            var array = o.putArray("links");
            links.forEach(l -> array.addObject().put("from", l.from()).put("to", l.to())
                    .put("latencySeconds", l.link().latencySeconds()).put("bandwidthBytesPerSecond", l.link().bandwidthBytesPerSecond())
                    .put("smallRoundTripSeconds", l.smallRoundTripSeconds()).put("largeRoundTripSeconds", l.largeRoundTripSeconds()));
            o.put("written", out.toString());
            JsonOutput.print(w, o);
        } else {
            links.forEach(l -> w.printf("%s <-> %s: latency %.1f us, bandwidth %.3f GB/s (median round trips: %d bytes %.1f us,"
                            + " %d bytes %.2f ms, of %d each)%n", l.from(), l.to(), l.link().latencySeconds() * 1e6,
                    l.link().bandwidthBytesPerSecond() / 1e9, LinkProbe.SMALL_BYTES, l.smallRoundTripSeconds() * 1e6,
                    LinkProbe.LARGE_BYTES, l.largeRoundTripSeconds() * 1e3, repetitions));
            w.println("wrote " + out);
        }
        w.flush();
    }

    /** Times the model's ops and writes the graph carrying them. */
    private void profileModel() {
        if (graphOut == null || samples < 1) {
            throw new CliInputException(graphOut == null ? "give --graph-out FILE for the measured graph"
                    : "--samples must be at least 1, got " + samples);
        }
        ComputationGraph graph = graphOptions.load();
        MachineMemory.requireProfilable(graph, samples, LocalCluster.modelparHome(), MachineMemory.availableBytes());
        ComputationGraph measured = ModelProfiler.measure(graph, samples, repetitions, 0);
        TextFiles.write(graphOut, GraphJson.toJson(measured));
        double forward = 0;
        double backward = 0;
        for (OpNode op : measured.ops()) {
            MeasuredTime t = op.measuredOn(Profiler.DEVICE_TYPE).orElseThrow();
            forward += t.forwardSeconds();
            backward += t.backwardSeconds();
        }
        double perPass = (double) samples / measured.measuredBatchSize();
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = JsonOutput.object();
            o.put("graph", graphOut.toString()).put("ops", measured.opCount()).put("samples", samples)
                    .put("forwardSeconds", forward * perPass).put("backwardSeconds", backward * perPass);
            JsonOutput.print(w, o);
        } else {
            w.printf("%s: %d ops timed on this machine at 1 and %d samples per pass (median of %d passes each);"
                    + " at %d samples forward %.2f ms, backward %.2f ms%n", measured.name(), measured.opCount(), samples,
                    repetitions, samples, forward * perPass * 1e3, backward * perPass * 1e3);
            w.printf("wrote %s (plan it with --graph %s --cluster local:N)%n", graphOut, graphOut);
        }
        w.flush();
    }

    private static void print(PrintWriter w, ProfileResult r, List<Path> written) {
        DeviceProfile d = r.cluster().devices().get(0).profile();
        LinkProfile l = r.cluster().intraNode();
        w.printf("worker: peak %.2f GFLOP/s fp32 (best matmul), %.2f GB/s element-wise, %d MiB memory%n",
                d.peakFlopsPerSecond().get("fp32") / 1e9, d.memoryBandwidthBytesPerSecond() / 1e9, d.memoryBytes() >> 20);
        w.printf("kernel launch (per ND4J call of a kernel): %.1f us%n", d.kernelLaunchSeconds() * 1e6);
        w.printf("host call (per view assigned a tensor, as collectives copy): %.1f us%n", d.hostCallSeconds() * 1e6);
        if (d.hostCopyBytesPerSecond() > 0) {
            w.printf("host copies (their bytes, read and written): %.2f GB/s%n", d.hostCopyBytesPerSecond() / 1e9);
        }
        d.optimizerSecondsPerParameter().forEach((o, s) -> w.printf("optimizer step %s: %.2f ns per parameter%n", o, s * 1e9));
        w.printf("link between workers: %.2f GB/s, %.1f us latency%n", l.bandwidthBytesPerSecond() / 1e9, l.latencySeconds() * 1e6);
        r.cluster().processLinks().values().forEach(p -> w.printf("link between worker processes: %.2f GB/s, %.1f us latency%n",
                p.bandwidthBytesPerSecond() / 1e9, p.latencySeconds() * 1e6));
        r.cluster().computeCapacity().forEach((node, c) -> w.printf("host compute capacity: %.2f workers' worth with all %d"
                + " computing at once%n", c, r.cluster().nodes().get(node).size()));
        w.println("matmul (FLOPs -> GFLOP/s, launch included):");
        r.matmul().forEach(s -> w.printf("  %12.3g  %8.2f%n", s.size(), s.size() / s.seconds() / 1e9));
        w.println("element-wise add (bytes -> GB/s, launch included):");
        r.elementwise().forEach(s -> w.printf("  %12.3g  %8.2f%n", s.size(), s.size() / s.seconds() / 1e9));
        w.println("transfer between threads / processes (bytes -> us one way, median +- half the interquartile range):");
        for (int i = 0; i < r.transfers().size(); i++) {
            ProfileResult.Transfer t = r.transfers().get(i);
            ProfileResult.Transfer p = r.processTransfers().get(i);
            w.printf("  %12.3g  %8.1f +- %-7.1f / %8.1f +- %-7.1f%n", t.bytes(), t.seconds() * 1e6, t.spreadSeconds() * 1e6,
                    p.seconds() * 1e6, p.spreadSeconds() * 1e6);
        }
        w.println("kernels (kind rows x width -> forward / backward us):");
        r.kernels().forEach(k -> w.printf("  %-13s %5d x %-5d %9.1f / %9.1f%n", k.kind(), k.rows(), k.width(),
                k.forwardSeconds() * 1e6, k.backwardSeconds() * 1e6));
        written.forEach(p -> w.println("wrote " + p));
    }

    private static void printJson(PrintWriter w, ProfileResult r, List<Path> written) {
        ObjectNode o = JsonOutput.object();
        try {
            o.set("cluster", new ObjectMapper().readTree(ClusterJson.write(r.cluster())));
            o.put("kernelLaunchSeconds", r.kernelLaunchSeconds());
            var matmul = o.putArray("matmul");
            r.matmul().forEach(s -> matmul.addObject().put("flops", s.size()).put("seconds", s.seconds()));
            var ew = o.putArray("elementwise");
            r.elementwise().forEach(s -> ew.addObject().put("bytes", s.size()).put("seconds", s.seconds()));
            transfers(o.putArray("transfers"), r.transfers());
            transfers(o.putArray("processTransfers"), r.processTransfers());
            var ks = o.putArray("kernels");
            r.kernels().forEach(k -> ks.addObject().put("kind", k.kind()).put("rows", k.rows()).put("width", k.width())
                    .put("forwardSeconds", k.forwardSeconds()).put("backwardSeconds", k.backwardSeconds()));
            var files = o.putArray("written");
            written.forEach(p -> files.add(p.toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read back the profile's cluster JSON", e);
        }
        JsonOutput.print(w, o);
    }

    private static void transfers(ArrayNode out, List<ProfileResult.Transfer> transfers) {
        transfers.forEach(t -> out.addObject().put("bytes", t.bytes()).put("seconds", t.seconds())
                .put("spreadSeconds", t.spreadSeconds()));
    }
}
