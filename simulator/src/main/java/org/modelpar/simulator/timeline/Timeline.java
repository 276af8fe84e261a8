package org.modelpar.simulator.timeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Instructions of one or more training steps as spans on their devices' streams, and each device's memory
 * over time. A simulated timeline (one step, step 0) lists spans in program order, device after device, and
 * carries the engine's critical path; a measured one lists them by start time, then device.
 *
 * @param source       simulated or measured
 * @param devices      device ids, in step-program order
 * @param spans        the executed instructions
 * @param memory       memory samples, in time order
 * @param criticalPath indices into {@code spans} of the chain that decides the step time, in time order
 *                     (empty when unknown, as for a measured run)
 * @param pausedSteps  the steps of a measured run during which a process that ran them stopped for a garbage
 *                     collection, ascending (none for a simulated step): {@link SteadyStep} leaves them out
 */
public record Timeline(Source source, List<String> devices, List<Span> spans, List<MemorySample> memory,
                       List<Integer> criticalPath, List<Integer> pausedSteps) {
    /** Where a timeline comes from. */
    public enum Source {
        SIMULATED, MEASURED;

        /** Whether its spans carry the training step they belong to (a measured run spans several). */
        public boolean numbersSteps() {
            return this == MEASURED;
        }

        /**
         * Whether its step begins at time 0: a simulated step is handed to its devices then (a device may begin it later,
         * {@code CostModel.startSeconds}); a measured one begins at its first span.
         */
        public boolean startsAtZero() {
            return this == SIMULATED;
        }
    }

    public Timeline {
        devices = List.copyOf(devices);
        spans = List.copyOf(spans);
        memory = List.copyOf(memory);
        criticalPath = List.copyOf(criticalPath);
        pausedSteps = List.copyOf(pausedSteps);
        for (int i = 0; i < pausedSteps.size(); i++) {
            if (pausedSteps.get(i) < 0 || i > 0 && pausedSteps.get(i) <= pausedSteps.get(i - 1)) {
                throw new IllegalArgumentException("paused steps must be distinct non-negative steps in ascending order, got "
                        + pausedSteps);
            }
        }
        Set<String> known = new HashSet<>(devices);
        String previous = null;
        for (Span s : spans) {
            if (!s.device().equals(previous) && !known.contains(previous = s.device())) {
                throw new IllegalArgumentException("span '" + s.name() + "' is on device '" + s.device()
                        + "', which is not one of the timeline's " + devices.size() + " devices");
            }
        }
        for (int i : criticalPath) {
            if (i < 0 || i >= spans.size()) {
                throw new IllegalArgumentException("critical path index " + i + " is outside the " + spans.size() + " spans");
            }
        }
    }

    /** A timeline no garbage collection paused. */
    public Timeline(Source source, List<String> devices, List<Span> spans, List<MemorySample> memory,
                    List<Integer> criticalPath) {
        this(source, devices, spans, memory, criticalPath, List.of());
    }

    /** Position of a device in {@link #devices()}, by id. */
    public Map<String, Integer> deviceIndex() {
        Map<String, Integer> index = new HashMap<>();
        for (int d = 0; d < devices.size(); d++) {
            index.put(devices.get(d), d);
        }
        return index;
    }

    /** Spans of one device, in timeline order. */
    public List<Span> spansOf(String device) {
        return spans.stream().filter(s -> s.device().equals(device)).toList();
    }

    /** The spans of steps {@code fromStep} and later that {@code which} accepts, by step, each step's in timeline order. */
    public SortedMap<Integer, List<Span>> spansByStep(int fromStep, Predicate<Span> which) {
        SortedMap<Integer, List<Span>> byStep = new TreeMap<>();
        for (Span s : spans) {
            if (s.step() >= fromStep && which.test(s)) {
                byStep.computeIfAbsent(s.step(), k -> new ArrayList<>()).add(s);
            }
        }
        return byStep;
    }

    /** Memory samples of one device, in time order. */
    public List<MemorySample> memoryOf(String device) {
        return memory.stream().filter(m -> m.device().equals(device)).toList();
    }

    /** From the first span's start to the last span's end (0 when there are none). */
    public double durationSeconds() {
        double start = spans.stream().mapToDouble(Span::startSeconds).min().orElse(0);
        double end = spans.stream().mapToDouble(Span::endSeconds).max().orElse(0);
        return end - start;
    }

    /** The last step: {@link #step(int)} of the highest step any span belongs to. */
    public Timeline lastStep() {
        return step(spans.stream().mapToInt(Span::step).max().orElse(0));
    }

    /**
     * One step: its spans, and the memory samples from each device's last one before the step starts
     * (moved to that start) to the step's end. The critical path is dropped unless the timeline holds this
     * step alone.
     */
    public Timeline step(int step) {
        if (spans.stream().allMatch(s -> s.step() == step)) {
            return this;
        }
        return window(source, devices, spans.stream().filter(s -> s.step() == step).toList(), memory,
                pausedSteps.contains(step) ? List.of(step) : List.of());
    }

    /**
     * The timeline of {@code kept}, one step's spans in timeline order, with the memory samples of {@code memory}
     * (time order) from each device's last one before the first span starts (moved to that start) to the last span's end.
     */
    private static Timeline window(Source source, List<String> devices, List<Span> kept, List<MemorySample> memory,
                                   List<Integer> paused) {
        double start = kept.stream().mapToDouble(Span::startSeconds).min().orElse(0);
        Split split = Split.of(kept, memory);
        List<MemorySample> keptMemory = new ArrayList<>();
        split.before().values().stream().sorted(Comparator.comparing(MemorySample::device))
                .forEach(m -> keptMemory.add(new MemorySample(m.device(), start, m.bytes())));
        keptMemory.addAll(split.inside());
        return new Timeline(source, devices, kept, keptMemory, List.of(), paused);
    }

    /**
     * The memory samples one step keeps: each device's last one before its first span starts (of equal times, the one
     * later in {@code memory}), and those from that start to its last span's end, in {@code memory}'s order.
     */
    private record Split(Map<String, MemorySample> before, List<MemorySample> inside) {
        static Split of(List<Span> kept, List<MemorySample> memory) {
            double start = kept.stream().mapToDouble(Span::startSeconds).min().orElse(0);
            double end = kept.stream().mapToDouble(Span::endSeconds).max().orElse(0);
            Map<String, MemorySample> before = new HashMap<>();
            List<MemorySample> inside = new ArrayList<>();
            for (MemorySample m : memory) {
                if (m.atSeconds() < start) {
                    before.merge(m.device(), m, (was, now) -> now.atSeconds() >= was.atSeconds() ? now : was);
                } else if (m.atSeconds() <= end) {
                    inside.add(m);
                }
            }
            return new Split(before, inside);
        }
    }

    /** Starts a timeline of the given devices (step-program order) that threads may append to. */
    public static Builder builder(Source source, List<String> devices) {
        return new Builder(source, devices);
    }

    /**
     * Collects spans and memory samples from several threads (each call is atomic); {@link #build()} orders
     * spans by start, then device order, then step and index, and samples by time, then device order, so the
     * result does not depend on the order threads appended in.
     */
    public static final class Builder {
        private final Source source;
        private final List<String> devices;
        private final List<Span> spans = new ArrayList<>();
        private final List<MemorySample> memory = new ArrayList<>();
        private final java.util.SortedSet<Integer> paused = new java.util.TreeSet<>();

        private Builder(Source source, List<String> devices) {
            this.source = source;
            this.devices = List.copyOf(devices);
        }

        public synchronized Builder add(Span span) {
            spans.add(span);
            return this;
        }

        public synchronized Builder add(MemorySample sample) {
            memory.add(sample);
            return this;
        }

        /** Step {@code step} was paused by a garbage collection in a process that ran it. */
        public synchronized Builder paused(int step) {
            paused.add(step);
            return this;
        }

        public synchronized Timeline build() {
            return sorted(spans, memory);
        }

        /**
         * One step's timeline, equal to {@code build().step(step)}, ordering only that step's spans and the memory
         * samples it keeps (each device's last one before the step and those within it): a worker process takes each
         * step's timeline while the run goes on, and ordering the whole run again after every step costs time that grows
         * with the steps done.
         */
        public synchronized Timeline step(int step) {
            if (spans.stream().allMatch(s -> s.step() == step)) {
                return build();
            }
            List<Span> kept = spans.stream().filter(s -> s.step() == step).toList();
            Split split = Split.of(kept, memory);
            List<MemorySample> candidates = new ArrayList<>(split.inside());
            candidates.addAll(split.before().values());
            Timeline ordered = sorted(kept, candidates);
            return window(source, devices, ordered.spans(), ordered.memory(), paused.contains(step) ? List.of(step) : List.of());
        }

        /** Spans by start, then device order, then step and index; samples by time, then device order. */
        private Timeline sorted(List<Span> spans, List<MemorySample> memory) {
            Map<String, Integer> order = new HashMap<>();
            for (int d = 0; d < devices.size(); d++) {
                order.put(devices.get(d), d);
            }
            List<Span> s = new ArrayList<>(spans);
            s.sort(Comparator.comparingDouble(Span::startSeconds).thenComparing(x -> order.getOrDefault(x.device(), -1))
                    .thenComparingInt(Span::step).thenComparingInt(Span::index));
            List<MemorySample> m = new ArrayList<>(memory);
            m.sort(Comparator.comparingDouble(MemorySample::atSeconds).thenComparing(x -> order.getOrDefault(x.device(), -1)));
            return new Timeline(source, devices, s, m, List.of(), List.copyOf(paused));
        }
    }
}
