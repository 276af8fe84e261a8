package org.modelpar.executor;

import java.util.List;
import java.util.Map;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;

/**
 * What the devices of one executor share: failure control, clock, fault hook, timeline, mailboxes, the
 * message buffer pool, collectives and the groups of devices holding copies of a tied parameter.
 */
final class RunContext {
    private final RunControl control;
    private final Ticker ticker;
    private final FaultHook hook;
    private final Timeline.Builder timeline;
    private final Map<String, Mailbox> mailboxes;
    private final Collectives collectives;
    private final ArrayPool messages = new ArrayPool();
    private final Map<String, List<Tied>> tied;
    private final long originNanos;

    /**
     * Devices holding copies of one parameter used by several stages (a tied embedding): before the
     * optimizer step they add the copies' gradients, one summand per stage.
     *
     * @param parameter the parameter name
     * @param members   every device holding a copy
     * @param summands  one device per stage, in stage order
     */
    record Tied(String parameter, List<String> members, List<String> summands) {
    }

    RunContext(RunControl control, Ticker ticker, FaultHook hook, Map<String, Mailbox> mailboxes,
               Map<String, List<Tied>> tied, List<String> devices) {
        this.control = control;
        this.timeline = Timeline.builder(Timeline.Source.MEASURED, devices);
        this.ticker = ticker;
        this.hook = hook;
        this.mailboxes = Map.copyOf(mailboxes);
        this.collectives = new Collectives(control);
        this.tied = Map.copyOf(tied);
        this.originNanos = ticker.nanos();
    }

    RunControl control() {
        return control;
    }

    Ticker ticker() {
        return ticker;
    }

    FaultHook hook() {
        return hook;
    }

    Timeline.Builder timeline() {
        return timeline;
    }

    /**
     * Records an executed instruction and its device's memory over it: the instruction's own peak (with its
     * temporaries) from its start, when that is above what stays live, then what stays live from its end.
     */
    void record(Span span, long peakBytes, long liveBytes) {
        timeline.add(span);
        if (peakBytes > liveBytes) {
            timeline.add(new MemorySample(span.device(), span.startSeconds(), peakBytes));
        }
        timeline.add(new MemorySample(span.device(), span.endSeconds(), liveBytes));
    }

    Collectives collectives() {
        return collectives;
    }

    /** Buffers of messages in flight: senders copy into them, receivers return them when consumed. */
    ArrayPool messages() {
        return messages;
    }

    Mailbox mailbox(String device) {
        Mailbox m = mailboxes.get(device);
        if (m == null) {
            throw new IllegalStateException("no device '" + device + "' in this run");
        }
        return m;
    }

    List<Tied> tiedGroups(String device) {
        return tied.getOrDefault(device, List.of());
    }

    double seconds(long nanos) {
        return (nanos - originNanos) / 1e9;
    }
}
