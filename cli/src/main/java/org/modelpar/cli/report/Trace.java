package org.modelpar.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A timeline read from a Chrome trace: spans on named tracks and counter samples.
 *
 * @param spans    complete events, in file order
 * @param counters counter samples, in file order
 */
public record Trace(List<Span> spans, List<Counter> counters) {
    public Trace {
        spans = List.copyOf(spans);
        counters = List.copyOf(counters);
    }

    /**
     * One span. Names follow the step program's instruction names ({@code F s0 mb3}, {@code B s1 mb0 rc},
     * {@code send act s0>s1 mb2}, {@code allreduce s0}, {@code optimizer s0}).
     *
     * @param track           track (thread) name, e.g. a device id
     * @param name            instruction name
     * @param startSeconds    start
     * @param durationSeconds duration
     * @param step            training step the span belongs to ({@code args.step} of measured traces), or -1
     */
    public record Span(String track, String name, double startSeconds, double durationSeconds, int step) {
        private static final Pattern MICRO_BATCH = Pattern.compile("\\bmb(\\d+)\\b");

        public double endSeconds() {
            return startSeconds + durationSeconds;
        }

        /** What the span does, read from its name. */
        public SpanKind kind() {
            return SpanKind.of(name);
        }

        /** The micro-batch the span works on, or -1. */
        public int microBatch() {
            Matcher m = MICRO_BATCH.matcher(name);
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        }
    }

    /**
     * One counter sample, e.g. a device's allocated memory.
     *
     * @param track      counter name
     * @param atSeconds  time
     * @param value      value (bytes for memory counters)
     */
    public record Counter(String track, double atSeconds, double value) {
    }

    /**
     * The last training step of a multi-step trace: its spans, and the counter samples from the last one
     * before it starts (per track) to its end. A trace without step numbers is returned as it is.
     */
    public Trace lastStep() {
        int last = spans.stream().mapToInt(Span::step).max().orElse(-1);
        if (last < 0 || spans.stream().allMatch(s -> s.step() == last)) {
            return this;
        }
        List<Span> kept = spans.stream().filter(s -> s.step() == last).toList();
        double start = kept.stream().mapToDouble(Span::startSeconds).min().orElse(0);
        double end = kept.stream().mapToDouble(Span::endSeconds).max().orElse(0);
        Map<String, Counter> before = new HashMap<>();
        List<Counter> inside = new ArrayList<>();
        for (Counter c : counters) {
            if (c.atSeconds() < start) {
                before.put(c.track(), c);
            } else if (c.atSeconds() <= end) {
                inside.add(c);
            }
        }
        List<Counter> keptCounters = new ArrayList<>();
        before.values().stream().sorted(Comparator.comparing(Counter::track))
                .forEach(c -> keptCounters.add(new Counter(c.track(), start, c.value())));
        keptCounters.addAll(inside);
        return new Trace(kept, keptCounters);
    }

    /** Trace length: from the first span's start to the last span's end (0 when empty). */
    public double durationSeconds() {
        double start = spans.stream().mapToDouble(Span::startSeconds).min().orElse(0);
        double end = spans.stream().mapToDouble(Span::endSeconds).max().orElse(0);
        return end - start;
    }

    /** Spans on tracks that belong to a device (the track name is the device id, or has it as a whole word, e.g. {@code gpu0 compute}), in file order. */
    public List<Span> spansOf(String device) {
        Set<String> tracks = matchingTracks(spans.stream().map(Span::track), device);
        return spans.stream().filter(s -> tracks.contains(s.track())).toList();
    }

    /** Counter samples of a device, in file order. */
    public List<Counter> countersOf(String device) {
        Set<String> tracks = matchingTracks(counters.stream().map(Counter::track), device);
        return counters.stream().filter(c -> tracks.contains(c.track())).toList();
    }

    private static Set<String> matchingTracks(Stream<String> tracks, String device) {
        Pattern word = Pattern.compile("(^|[\\s:/(\\[])" + Pattern.quote(device) + "($|[\\s:/)\\]])");
        return tracks.distinct().filter(t -> t.equals(device) || word.matcher(t).find()).collect(Collectors.toSet());
    }
}
