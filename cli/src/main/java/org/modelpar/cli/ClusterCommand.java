package org.modelpar.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.profiles.ClusterDevice;
import org.modelpar.profiles.ClusterSpec;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.LinkProfile;
import org.modelpar.profiles.NodeLinks;
import org.modelpar.profiles.io.ClusterJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code modelpar cluster --cluster C [--json]}: devices, links and totals of a cluster. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Shows a cluster's devices, links and totals.")
final class ClusterCommand implements Runnable {
    @Mixin
    ClusterOption cluster;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        ClusterSpec c = cluster.resolve();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonOutput.print(out, toJson(c));
        } else {
            ClusterTable.print(c, out);
        }
        out.flush();
    }

    static ObjectNode toJson(ClusterSpec c) {
        ObjectNode o = JsonOutput.object();
        o.put("name", c.name());
        o.put("contentHash", ClusterJson.contentHash(c));
        o.put("deviceCount", c.devices().size());
        o.put("nodeCount", c.nodes().size());
        var devices = o.putArray("devices");
        for (ClusterDevice d : c.devices()) {
            devices.addObject().put("id", d.id()).put("type", d.type()).put("node", d.node())
                    .put("memoryBytes", d.profile().memoryBytes());
        }
        var nodes = o.putArray("nodes");
        for (Map.Entry<String, List<ClusterDevice>> n : c.nodes().entrySet()) {
            ObjectNode node = nodes.addObject().put("name", n.getKey()).put("deviceCount", n.getValue().size());
            NodeLinks links = c.linksOf(n.getKey());
            link(node.putObject("intraNode"), links.intraNode());
            link(node.putObject("interNode"), links.interNode());
        }
        ObjectNode types = o.putObject("deviceTypes");
        c.deviceTypes().forEach((name, p) -> {
            ObjectNode t = types.putObject(name);
            t.put("count", c.devices().stream().filter(d -> d.type().equals(name)).count());
            t.put("memoryBytes", p.memoryBytes());
            t.put("memoryBandwidthBytesPerSecond", p.memoryBandwidthBytesPerSecond());
            p.peakFlopsPerSecond().forEach(t.putObject("peakFlopsPerSecond")::put);
            t.put("source", p.source());
        });
        ObjectNode links = o.putObject("links");
        link(links.putObject("intraNode"), c.intraNode());
        link(links.putObject("interNode"), c.interNode());
        ObjectNode totals = o.putObject("totals");
        totals.put("memoryBytes", c.totalMemoryBytes());
        totalPeak(c).forEach(totals.putObject("peakFlopsPerSecond")::put);
        return o;
    }

    /** Sum of peak FLOP/s per dtype over the devices that list the dtype. */
    static Map<String, Double> totalPeak(ClusterSpec c) {
        Map<String, Double> sum = new TreeMap<>();
        for (ClusterDevice d : c.devices()) {
            DeviceProfile p = d.profile();
            p.peakFlopsPerSecond().forEach((dtype, flops) -> sum.merge(dtype, flops, Double::sum));
        }
        return sum;
    }

    private static void link(ObjectNode o, LinkProfile l) {
        o.put("bandwidthBytesPerSecond", l.bandwidthBytesPerSecond());
        o.put("latencySeconds", l.latencySeconds());
    }
}
