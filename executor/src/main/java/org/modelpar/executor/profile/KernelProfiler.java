package org.modelpar.executor.profile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.Kernel;
import org.modelpar.executor.kernel.Kernels;
import org.modelpar.executor.kernel.ParameterSpec;
import org.modelpar.graph.OpNode;
import org.nd4j.linalg.api.buffer.DataType;
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

    private static ProfileResult.KernelTime time(Timing timing, String kind, Map<String, String> attrs, long rows,
                                                 long width, int inputs) {
        Kernel k = Kernels.create(new OpNode("k", "k", kind, "", 0, 0, 0, 0, 0, Map.of(), attrs), 1);
        Map<String, INDArray> params = new HashMap<>();
        for (ParameterSpec p : k.parameters()) {
            params.put(p.name(), Nd4j.rand(DataType.FLOAT, p.shape()));
        }
        List<INDArray> in = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add(Nd4j.rand(DataType.FLOAT, rows, width));
        }
        Kernel.Forward f = k.forward(in, params, (int) rows);
        INDArray grad = Nd4j.rand(DataType.FLOAT, f.output().shape());
        double fwd = timing.medianSeconds(() -> k.forward(in, params, (int) rows));
        double bwd = timing.medianSeconds(() -> k.backward(grad, f.saved(), params));
        return new ProfileResult.KernelTime(kind, rows, width, fwd, bwd);
    }
}
