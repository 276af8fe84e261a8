package org.modelpar.graph.zoo;

import static org.modelpar.graph.zoo.GraphBuilder.attrs;

import java.util.List;
import org.modelpar.graph.ComputationGraph;

/**
 * Builds convolutional networks layer by layer, tracking each op's output shape (channels x height x
 * width). Convolution FLOPs are {@code 2 cin kh kw cout hout wout}; the workspace of a convolution with a
 * kernel larger than 1x1 is its im2col buffer.
 */
final class CnnBuilder {
    /** An op's output: its id and shape. */
    record T(String op, long c, long h, long w) {
        long values() {
            return c * h * w;
        }
    }

    private final GraphBuilder g = new GraphBuilder();

    T input(long c, long h, long w) {
        g.op("input", "input", "input", 0, 0, c * h * w, 0, attrs("channels", c, "height", h, "width", w));
        return new T("input", c, h, w);
    }

    T conv(String id, String layer, T x, long cout, int kh, int kw, int stride, int padH, int padW, boolean bias) {
        long ho = (x.h + 2L * padH - kh) / stride + 1;
        long wo = (x.w + 2L * padW - kw) / stride + 1;
        long macs = x.c * kh * kw * cout * ho * wo;
        long im2col = kh * kw > 1 ? x.c * kh * kw * ho * wo : 0;
        g.op(id, "conv2d", layer, 2.0 * macs, x.c * kh * kw * cout + (bias ? cout : 0), cout * ho * wo, im2col,
                attrs("in", x.c, "out", cout, "kernelH", kh, "kernelW", kw, "stride", stride, "padH", padH,
                        "padW", padW, "height", x.h, "width", x.w));
        g.edge(x.op, id);
        return new T(id, cout, ho, wo);
    }

    T conv(String id, String layer, T x, long cout, int k, int stride, int pad, boolean bias) {
        return conv(id, layer, x, cout, k, k, stride, pad, pad, bias);
    }

    T batchnorm(String id, String layer, T x) {
        return same(id, "batchnorm", layer, x, 2 * x.c);
    }

    T relu(String id, String layer, T x) {
        return same(id, "relu", layer, x, 0);
    }

    private T same(String id, String kind, String layer, T x, long params) {
        g.op(id, kind, layer, 0, params, x.values(), 0, attrs("channels", x.c, "height", x.h, "width", x.w));
        g.edge(x.op, id);
        return new T(id, x.c, x.h, x.w);
    }

    T pool(String id, String kind, String layer, T x, int k, int stride, int pad) {
        long ho = (x.h + 2L * pad - k) / stride + 1;
        long wo = (x.w + 2L * pad - k) / stride + 1;
        g.op(id, kind, layer, 0, 0, x.c * ho * wo, 0, attrs("kernel", k, "stride", stride, "padding", pad));
        g.edge(x.op, id);
        return new T(id, x.c, ho, wo);
    }

    T globalAvgPool(String id, String layer, T x) {
        return pool(id, "avgpool", layer, x, (int) x.h, 1, 0);
    }

    T add(String id, String layer, T a, T b) {
        g.op(id, "residual-add", layer, 0, 0, a.values(), 0, attrs("channels", a.c, "height", a.h, "width", a.w));
        g.edge(a.op, id);
        g.edge(b.op, id);
        return new T(id, a.c, a.h, a.w);
    }

    T concat(String id, String layer, List<T> parts) {
        long c = parts.stream().mapToLong(T::c).sum();
        T first = parts.get(0);
        g.op(id, "concat", layer, 0, 0, c * first.h * first.w, 0, attrs("channels", c, "inputs", parts.size()));
        parts.forEach(p -> g.edge(p.op, id));
        return new T(id, c, first.h, first.w);
    }

    /** A fully connected layer with bias over the flattened input. */
    T linear(String id, String layer, T x, long out) {
        long in = x.values();
        g.op(id, "linear", layer, 2.0 * in * out, in * out + out, out, 0, attrs("in", in, "out", out, "tokens", 1));
        g.edge(x.op, id);
        return new T(id, out, 1, 1);
    }

    ComputationGraph finish(String name, T logits) {
        g.op("loss", "cross-entropy", "head", 0, 0, 1, logits.values(), attrs("classes", logits.values()));
        g.edge(logits.op, "loss");
        return g.build(name);
    }
}
