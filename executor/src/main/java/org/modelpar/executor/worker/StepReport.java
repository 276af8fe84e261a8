package org.modelpar.executor.worker;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.modelpar.executor.transport.CallSamples;
import org.modelpar.executor.transport.Message;
import org.modelpar.executor.transport.TensorCodec;
import org.modelpar.executor.transport.TransportLoad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a worker tells the coordinator after each step.
 *
 * @param rank            the worker's rank
 * @param step            the step it completed
 * @param loss            its devices' share of the step's loss
 * @param seconds         its wall time of the step
 * @param peakMemoryBytes peak accounted bytes per device so far
 * @param parameters      its device's parameters (its parts of tensor-parallel ones), when the coordinator needs them (checkpoint, last step), else empty
 * @param optimizerState  their optimizer state, likewise
 * @param trace           the step's measured instructions and memory samples
 * @param ringSteps       the ring steps of its collective calls, timed on its members
 * @param backgroundCpuSeconds the CPU time its process spent outside its devices' threads and its transport's event loop
 *                             during the step
 * @param transport       what its transport moved to and from the other processes during the step, and its event loop's
 *                        CPU time
 * @param collections     the garbage collections that paused its process during the step
 */
record StepReport(int rank, int step, double loss, double seconds, Map<String, Long> peakMemoryBytes,
                  Map<String, INDArray> parameters, Map<String, INDArray> optimizerState, StepTrace trace,
                  CallSamples ringSteps, double backgroundCpuSeconds, TransportLoad transport, long collections) {
    private static final String PARAMETER = "p:";
    private static final String OPTIMIZER = "o:";

    byte[] encode() {
        return ReportCodec.encode("step report", out -> {
            out.writeInt(rank);
            out.writeInt(step);
            out.writeDouble(loss);
            out.writeDouble(seconds);
            out.writeInt(peakMemoryBytes.size());
            for (Map.Entry<String, Long> e : peakMemoryBytes.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            trace.write(out);
            ringSteps.write(out);
            out.writeDouble(backgroundCpuSeconds);
            transport.write(out);
            out.writeLong(collections);
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            parameters.forEach((k, v) -> tensors.put(PARAMETER + k, v));
            optimizerState.forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
            out.write(TensorCodec.encode(Message.of(new Message.Key("rank " + rank, "coordinator", "step " + step), tensors)));
        });
    }

    static StepReport decode(byte[] bytes) {
        return ReportCodec.decode(bytes, "step report", in -> {
            int rank = in.readInt();
            int step = in.readInt();
            double loss = in.readDouble();
            double seconds = in.readDouble();
            Map<String, Long> peaks = new LinkedHashMap<>();
            int n = in.readInt();
            if (n < 0 || n > in.available() / (2 + Long.BYTES)) {
                throw new IOException("peak memory of " + n + " devices in " + in.available() + " bytes");
            }
            for (int i = 0; i < n; i++) {
                peaks.put(in.readUTF(), in.readLong());
            }
            StepTrace trace = StepTrace.read(in);
            CallSamples ringSteps = CallSamples.read(in);
            double background = in.readDouble();
            TransportLoad transport = TransportLoad.read(in);
            long collections = in.readLong();
            Map<String, INDArray> params = new LinkedHashMap<>();
            Map<String, INDArray> optimizer = new LinkedHashMap<>();
            TensorCodec.decode(in.readAllBytes()).tensors().forEach((k, v) -> {
                if (k.startsWith(PARAMETER)) {
                    params.put(k.substring(PARAMETER.length()), v);
                } else {
                    optimizer.put(k.substring(OPTIMIZER.length()), v);
                }
            });
            return new StepReport(rank, step, loss, seconds, peaks, params, optimizer, trace, ringSteps, background, transport, collections);
        });
    }
}
