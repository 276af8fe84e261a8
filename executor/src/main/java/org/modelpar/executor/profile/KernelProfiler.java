package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.Scratch;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.LaunchCounts;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.graph.OpNode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Times the forward and backward of each element-wise and matrix kernel kind at a few sizes. */
final class KernelProfiler {
    private static final long[] ROWS = {64, 512};
    private static final long[] WIDTHS = {64, 256};

    private KernelProfiler() {
    }

    static List<ProfileResult.KernelTime> profile(Timing timing) {
        List<ProfileResult.KernelTime> out = new ArrayList<>();
        for (long rows : ROWS) {
            for (long w : WIDTHS) {
                String width = Long.toString(w);
                out.add(time(timing, "linear", Map.of("in", width, "out", width), rows, w, 1));
                out.add(time(timing, "relu", Map.of("width", width), rows, w, 1));
                out.add(time(timing, "gelu", Map.of("width", width), rows, w, 1));
                out.add(time(timing, "layernorm", Map.of("hidden", width), rows, w, 1));
                out.add(time(timing, "residual-add", Map.of("hidden", width), rows, w, 2));
            }
        }
        return out;
    }

    /**
     * Seconds per kernel launch: the median forward of the layer-norm kernel on a {@code [128, 64]} activation
     * (a chain of small ND4J calls, each allocating its 32 KB result, with little work) divided by its launch
     * count ({@link LaunchCounts}), so that the launch cost is that of the calls the kernels really make.
     */
    static double launchSeconds(Timing timing) {
        OpNode op = op("layernorm", Map.of("hidden", "64"));
        Setup s = setup(op, 128, 64, 1);
        return timing.typicalSeconds(inScratch(() -> s.kernel().forward(s.inputs(), s.params(), 128)))
                / LaunchCounts.of("layernorm").orElseThrow().forward();
    }

    /**
     * {@code work} in the executor's memory regime: its temporaries in the thread's scratch workspace,
     * reset when it ends ({@link Scratch}).
     */
    static Runnable inScratch(Runnable work) {
        return () -> {
            try (MemoryWorkspace scratch = Scratch.open()) {
                work.run();
            }
        };
    }

    private static ProfileResult.KernelTime time(Timing timing, String kind, Map<String, String> attrs, long rows,
                                                 long width, int inputs) {
        Setup s = setup(op(kind, attrs), rows, width, inputs);
        Kernel k = s.kernel();
        Kernel.Forward f = k.forward(s.inputs(), s.params(), (int) rows);
        INDArray grad = Nd4j.rand(DataType.FLOAT, f.output().shape());
        double fwd = timing.typicalSeconds(inScratch(() -> k.forward(s.inputs(), s.params(), (int) rows)));
        double bwd = timing.typicalSeconds(inScratch(() -> k.backward(grad, f.saved(), s.params())));
        return new ProfileResult.KernelTime(kind, rows, width, fwd, bwd);
    }

    private static OpNode op(String kind, Map<String, String> attrs) {
        return new OpNode("k", "k", kind, "", 0, 0, 0, 0, 0, Map.of(), attrs);
    }

    /** A kernel with random parameters and {@code inputs} random {@code [rows, width]} inputs. */
    private static Setup setup(OpNode op, long rows, long width, int inputs) {
        Kernel k = Kernels.create(op, 1);
        Map<String, INDArray> params = new HashMap<>();
        for (ParameterSpec p : k.parameters()) {
            params.put(p.name(), Nd4j.rand(DataType.FLOAT, p.shape()));
        }
        List<INDArray> in = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add(Nd4j.rand(DataType.FLOAT, rows, width));
        }
        return new Setup(k, params, in);
    }

    private record Setup(Kernel kernel, Map<String, INDArray> params, List<INDArray> inputs) {
    }
}
