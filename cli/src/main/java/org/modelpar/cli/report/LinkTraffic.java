package org.modelpar.cli.report;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.modelpar.profiles.ByteSize;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Send;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * Communication of one step by kind (pipeline sends, gradient all-reduces) and link (inside a node or between
 * nodes): the bytes moved, summed over devices, the time the transfers took, and the bandwidth achieved,
 * bytes over that time (for an all-reduce the algorithm bandwidth, a device's buffer over its time, as
 * nccl-tests report {@code algbw}).
 *
 * @param kind    {@code send} or {@code all-reduce}
 * @param link    {@code intra-node} or {@code inter-node}
 * @param count   transfers (spans)
 * @param bytes   bytes of those transfers
 * @param seconds their summed duration
 */
record LinkTraffic(String kind, String link, int count, long bytes, double seconds) {
    /** Achieved bytes per second, 0 when the transfers took no time. */
    double bytesPerSecond() {
        return seconds > 0 ? bytes / seconds : 0;
    }

    /** The traffic of one step, sends then all-reduces, inside nodes then between; {@code nodeOf} maps a device id to its node. */
    static List<LinkTraffic> of(Timeline step, Map<String, String> nodeOf) {
        Map<String, LinkTraffic> byKey = new TreeMap<>(Comparator.reverseOrder());
        for (Span s : step.spans()) {
            LinkTraffic one;
            if (s.instruction() instanceof Send send) {
                one = new LinkTraffic("send", link(Stream.of(s.device(), send.peer()), nodeOf), 1, s.bytes(), s.seconds());
            } else if (s.instruction() instanceof AllReduce all) {
                one = new LinkTraffic("all-reduce", link(all.group().stream(), nodeOf), 1, s.bytes(), s.seconds());
            } else {
                continue;
            }
            byKey.merge(one.kind() + " " + one.link(), one, LinkTraffic::plus);
        }
        return List.copyOf(byKey.values());
    }

    /** The traffic as an HTML table (or a line saying there is none). */
    static String table(String id, String what, List<LinkTraffic> traffic) {
        if (traffic.isEmpty()) {
            return "<p id=\"" + id + "\">The " + what + " step has no sends or all-reduces.</p>\n";
        }
        List<List<String>> rows = traffic.stream().map(t -> List.of(t.kind(), t.link(), String.valueOf(t.count()),
                ByteSize.format(t.bytes()), Html.seconds(t.seconds()),
                String.format(Locale.ROOT, "%.2f GB/s", t.bytesPerSecond() / 1e9))).toList();
        return Html.table(id, List.of(what, "link", "transfers", "bytes", "time (summed)", "achieved bandwidth"), rows);
    }

    private LinkTraffic plus(LinkTraffic o) {
        return new LinkTraffic(kind, link, count + o.count, bytes + o.bytes, seconds + o.seconds);
    }

    private static String link(Stream<String> devices, Map<String, String> nodeOf) {
        return devices.map(d -> nodeOf.getOrDefault(d, "")).distinct().count() > 1 ? "inter-node" : "intra-node";
    }
}
