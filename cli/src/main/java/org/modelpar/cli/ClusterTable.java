package org.modelpar.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;

/** The human-readable form of {@code modelpar cluster}: nodes, device types, links, totals. */
final class ClusterTable {
    private static final int MAX_NODE_ROWS = 16;

    private ClusterTable() {
    }

    static void print(ClusterSpec c, PrintWriter out) {
        out.printf(Locale.ROOT, "cluster %s: %d devices on %d nodes%n%n", c.name(), c.devices().size(), c.nodes().size());
        out.printf(Locale.ROOT, "%-10s %-22s %-14s %-26s %s%n", "node", "devices", "first id", "intra-node",
                "inter-node per device");
        int row = 0;
        for (Map.Entry<String, List<ClusterDevice>> n : c.nodes().entrySet()) {
            if (row++ == MAX_NODE_ROWS) {
                out.printf(Locale.ROOT, "... %d more nodes (--json lists every device)%n", c.nodes().size() - MAX_NODE_ROWS);
                break;
            }
            NodeLinks links = c.linksOf(n.getKey());
            out.printf(Locale.ROOT, "%-10s %-22s %-14s %-26s %s%n", n.getKey(), typeCounts(n.getValue()),
                    n.getValue().get(0).id(), link(links.intraNode()), link(links.interNode()));
        }
        out.printf(Locale.ROOT, "%n%-16s %6s %11s %12s  %s%n", "device type", "count", "memory", "bandwidth",
                "peak FLOP/s");
        for (Map.Entry<String, DeviceProfile> t : c.deviceTypes().entrySet()) {
            DeviceProfile p = t.getValue();
            long count = c.devices().stream().filter(d -> d.type().equals(t.getKey())).count();
            out.printf(Locale.ROOT, "%-16s %6d %11s %12s  %s%n", t.getKey(), count, gib(p.memoryBytes()),
                    String.format(Locale.ROOT, "%.0f GB/s", p.memoryBandwidthBytesPerSecond() / 1e9), peaks(p.peakFlopsPerSecond()));
        }
        out.printf(Locale.ROOT, "%nlinks (bandwidth one direction; inter-node is each device's share of its node's NICs)%n");
        out.printf(Locale.ROOT, "  intra-node  %s%n", link(c.intraNode()));
        out.printf(Locale.ROOT, "  inter-node  %s%n", link(c.interNode()));
        out.printf(Locale.ROOT, "%ntotals: %d devices, %s memory, peak %s%n", c.devices().size(),
                gib(c.totalMemoryBytes()), peaks(ClusterCommand.totalPeak(c)));
    }

    private static String typeCounts(List<ClusterDevice> devices) {
        Map<String, Long> counts = devices.stream()
                .collect(Collectors.groupingBy(ClusterDevice::type, LinkedHashMap::new, Collectors.counting()));
        return counts.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", "));
    }

    private static String link(LinkProfile l) {
        return String.format(Locale.ROOT, "%.4g GB/s, %.3g us", l.bandwidthBytesPerSecond() / 1e9, l.latencySeconds() * 1e6);
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static String peaks(Map<String, Double> peak) {
        return peak.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.4g TFLOP/s", e.getKey(), e.getValue() / 1e12))
                .collect(Collectors.joining(", "));
    }
}
