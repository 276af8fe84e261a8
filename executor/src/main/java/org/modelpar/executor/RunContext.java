package org.modelpar.executor;

import java.util.List;
import java.util.Map;
import org.modelpar.executor.transport.RingCollectives;
import org.modelpar.executor.transport.Transport;
import org.modelpar.simulator.timeline.MemorySample;
import org.modelpar.simulator.timeline.Span;
import org.modelpar.simulator.timeline.Timeline;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the devices of one executor share: failure control, clock, fault hook, timeline, the transport and
 * the collectives built on it, and the groups of devices holding copies of a tied parameter.
 */
final class RunContext {
    private final RunControl control;
    private final Ticker ticker;
    private final FaultHook hook;
    private final Timeline.Builder timeline;
    private final Transport transport;
    private final RingCollectives collectives;
    private final Map<String, List<Tied>> tied;
    private final long originNanos;
    private final List<String> devices;
    private final double originEpochSeconds;

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

    RunContext(RunControl control, Ticker ticker, FaultHook hook, Transport transport,
               Map<String, List<Tied>> tied, List<String> devices) {
        this.control = control;
        this.timeline = Timeline.builder(Timeline.Source.MEASURED, devices);
        this.ticker = ticker;
        this.hook = hook;
        this.transport = transport;
        // ring steps are a measurement of this machine (the calibration's), timed on its clock even under a test's
        // ticker; one counted from the epoch, so that the processes of a run compare their readings
        this.collectives = new RingCollectives(transport, Ticker.epochAnchored()::nanos);
        this.tied = Map.copyOf(tied);
        this.devices = List.copyOf(devices);
        this.originNanos = ticker.nanos();
        this.originEpochSeconds = Ticker.epochSeconds();
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

    RingCollectives collectives() {
        return collectives;
    }

    Transport transport() {
        return transport;
    }

    /**
     * Whether any device of the run says {@code mine}: a one-value ring all-reduce over every device (each
     * calls it with the same {@code id}), so all of them take the same decision.
     */
    boolean anyDevice(String id, String device, boolean mine) throws InterruptedException {
        INDArray flag = Nd4j.scalar(mine ? 1.0 : 0.0).reshape(1, 1);
        collectives.allReduce(id, device, devices, Map.of("flag", flag), control);
        return flag.getDouble(0) > 0;
    }

    List<Tied> tiedGroups(String device) {
        return tied.getOrDefault(device, List.of());
    }

    /** The wall-clock time of second 0 of the timeline, in seconds since the epoch (to merge processes' timelines). */
    double originEpochSeconds() {
        return originEpochSeconds;
    }

    double seconds(long nanos) {
        return (nanos - originNanos) / 1e9;
    }
}
