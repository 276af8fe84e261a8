package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.transport.LinkProbeServer;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;

/**
 * Measures the links between hosts over the workers' own transport: each pair of hosts' probes
 * ({@link LinkProbeServer}, {@code modelpar worker --probe-port}) ping-pongs a small and a large tensor.
 * Under the linear (Hockney) model of a transfer, {@code latency + bytes / bandwidth}: the latency is half
 * the median round trip of the small message, and the bandwidth the large message's bytes over half its
 * median round trip less that latency.
 */
public final class LinkProbe {
    /** The small probe message: 16 floats, so the round trip is all latency. */
    public static final long SMALL_BYTES = 64;
    /** The large probe message: 4 MiB (four transport frames), so the round trip is mostly bandwidth. */
    public static final long LARGE_BYTES = 4L << 20;

    private LinkProbe() {
    }

    /**
     * The link between two probes.
     *
     * @param from                   control address ({@code host:port}) of the probe that sent
     * @param to                     control address of the probe that echoed
     * @param link                   latency and bandwidth, one direction
     * @param smallRoundTripSeconds  median round trip of {@link #SMALL_BYTES}
     * @param largeRoundTripSeconds  median round trip of {@link #LARGE_BYTES}
     */
    public record Link(String from, String to, LinkProfile link, double smallRoundTripSeconds, double largeRoundTripSeconds) {
    }

    /** Every pair of {@code probes} (in list order, each pair once), with {@code repetitions} timed round trips per size. */
    public static List<Link> measure(List<String> probes, int repetitions) {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < probes.size(); i++) {
            for (int j = i + 1; j < probes.size(); j++) {
                List<double[]> trips = LinkProbeServer.roundTrips(probes.get(i), probes.get(j), repetitions,
                        new long[] {SMALL_BYTES, LARGE_BYTES});
                double small = Timing.typical(trips.get(0));
                double large = Timing.typical(trips.get(1));
                links.add(new Link(probes.get(i), probes.get(j), link(small, large), small, large));
            }
        }
        return links;
    }

    /** The link from the two median round trips (a large one no slower than the latency counts whole). */
    static LinkProfile link(double smallRoundTripSeconds, double largeRoundTripSeconds) {
        double latency = smallRoundTripSeconds / 2;
        double oneWay = largeRoundTripSeconds / 2;
        double transfer = oneWay > latency ? oneWay - latency : oneWay;
        return new LinkProfile(LARGE_BYTES / transfer, latency);
    }

    /**
     * {@code cluster} with the measured links: {@code probes} name one host per node, in node order; each node
     * names its host ({@code host}, the probe's host part) and gets as its inter-node link the slowest of its
     * measured links (lowest bandwidth, highest latency). Intra-node links and compute capacities stay.
     *
     * @throws IllegalArgumentException when the probes are not one per node, or a node already names another host
     */
    public static ClusterSpec withLinks(ClusterSpec cluster, List<String> probes, List<Link> links) {
        requireOnePerNode(cluster, probes);
        List<String> nodes = List.copyOf(cluster.nodes().keySet());
        Map<String, NodeLinks> nodeLinks = new LinkedHashMap<>(cluster.nodeLinks());
        Map<String, String> hosts = new LinkedHashMap<>();
        for (int k = 0; k < nodes.size(); k++) {
            String node = nodes.get(k);
            String probe = probes.get(k);
            double bandwidth = Double.POSITIVE_INFINITY;
            double latency = 0;
            for (Link l : links) {
                if (l.from().equals(probe) || l.to().equals(probe)) {
                    bandwidth = Math.min(bandwidth, l.link().bandwidthBytesPerSecond());
                    latency = Math.max(latency, l.link().latencySeconds());
                }
            }
            if (Double.isInfinite(bandwidth)) {
                throw new IllegalArgumentException("no link measured for host " + probe + " (node '" + node + "')");
            }
            nodeLinks.put(node, new NodeLinks(cluster.linksOf(node).intraNode(), new LinkProfile(bandwidth, latency)));
            hosts.put(node, host(probe));
        }
        return new ClusterSpec(cluster.name(), cluster.devices(), cluster.intraNode(), cluster.interNode(), nodeLinks,
                cluster.computeCapacity(), hosts, cluster.processLinks());
    }

    /**
     * Checks that {@code probes} ({@code host:port}) are one per node of {@code cluster}, in node order, and that
     * a node naming its host is given that host.
     *
     * @throws IllegalArgumentException naming the count or the node, its host and the probe given for it
     */
    public static void requireOnePerNode(ClusterSpec cluster, List<String> probes) {
        List<String> nodes = List.copyOf(cluster.nodes().keySet());
        if (probes.size() != nodes.size()) {
            throw new IllegalArgumentException(probes.size() + " hosts for cluster '" + cluster.name() + "' of " + nodes.size()
                    + " nodes (" + String.join(", ", nodes) + "): give one host:port per node, in node order");
        }
        for (int k = 0; k < nodes.size(); k++) {
            String node = nodes.get(k);
            String given = host(probes.get(k));
            String named = cluster.hostOf(node).orElse(given);
            if (!named.equals(given)) {
                throw new IllegalArgumentException("node '" + node + "' of cluster '" + cluster.name() + "' is host " + named
                        + ", but the host given for it (position " + (k + 1) + " of --hosts) is " + probes.get(k));
            }
        }
    }

    private static String host(String probe) {
        return probe.substring(0, Math.max(0, probe.lastIndexOf(':')));
    }
}
