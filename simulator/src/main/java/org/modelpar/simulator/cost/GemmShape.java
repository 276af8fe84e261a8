package org.modelpar.simulator.cost;

import java.util.Optional;
import org.modelpar.graph.OpNode;

/**
 * The matrix product one device runs for an op: {@code batch} products of an {@code m x k} by a {@code k x n}
 * matrix, from the op's attributes (docs/op-kinds.md), its samples and the tensor-parallel split:
 * <ul>
 *   <li>{@code linear} ({@code in}, {@code out}, {@code tokens}): m = tokens x samples, k = in, n = out; a
 *       column-parallel linear splits n t ways, a row-parallel one ({@link OpWork#rowParallel()}) k;</li>
 *   <li>{@code attention-scores} ({@code heads}, {@code seq}, {@code headDim}): heads / t x samples products of
 *       seq x headDim by headDim x seq;</li>
 *   <li>{@code attention-context}: heads / t x samples products of seq x seq by seq x headDim;</li>
 *   <li>{@code logits} ({@code hidden}, {@code vocab}, {@code seq}): m = seq x samples, k = hidden, n = vocab / t.</li>
 * </ul>
 * Other kinds (and ops missing these attributes) have no shape and are priced by their FLOPs alone.
 *
 * <p>{@link #efficiency()} is the share of the tensor cores' work that is useful (NVIDIA, "Matrix Multiplication
 * Background User's Guide", Deep Learning Performance documentation, sections "Tile quantization" and
 * "Dimension quantization effects"): the output is computed in tiles of {@code T x T} ({@code T = 128}, or the
 * next power of two of a smaller dimension, at least 16, as cuBLAS picks smaller tiles for small matrices), so a
 * dimension x uses {@code x / (ceil(x / T) T)} of them; and every output tile pays a fixed prologue and epilogue
 * (filling the multi-stage load pipeline, writing the tile) worth {@code K0 = 128} of its k loop (a 4-stage
 * pipeline of 32-deep k slices, CUTLASS's A100 default), so a product is {@code k / (k + K0)} efficient in k.
 * Neither constant is fitted; the device's matmul efficiency curve (calibrated) multiplies this factor.
 *
 * @param m     rows of the output
 * @param n     columns of the output
 * @param k     the inner dimension
 * @param batch independent products
 */
public record GemmShape(double m, double n, double k, double batch) {
    static final double TILE = 128;
    static final double K0 = 128;

    /** The op's product on one device, when its kind is a matrix product with the attributes above. */
    public static Optional<GemmShape> of(OpNode op, OpWork work) {
        double s = work.samples();
        double t = work.tensorParallel();
        switch (op.kind()) {
            case "linear" -> {
                long in = op.longAttribute("in").orElse(0L);
                long out = op.longAttribute("out").orElse(0L);
                long tokens = op.longAttribute("tokens").orElse(1L);
                if (in <= 0 || out <= 0) {
                    return Optional.empty();
                }
                return Optional.of(work.rowParallel() ? new GemmShape(tokens * s, out, in / t, 1)
                        : new GemmShape(tokens * s, out / t, in, 1));
            }
            case "attention-scores", "attention-context" -> {
                long heads = op.longAttribute("heads").orElse(0L);
                long seq = op.longAttribute("seq").orElse(0L);
                long headDim = op.longAttribute("headDim").orElse(0L);
                if (heads <= 0 || seq <= 0 || headDim <= 0) {
                    return Optional.empty();
                }
                double batch = heads / t * s;
                return Optional.of(op.kind().equals("attention-scores") ? new GemmShape(seq, seq, headDim, batch)
                        : new GemmShape(seq, headDim, seq, batch));
            }
            case "logits" -> {
                long hidden = op.longAttribute("hidden").orElse(0L);
                long vocab = op.longAttribute("vocab").orElse(0L);
                long seq = op.longAttribute("seq").orElse(0L);
                if (hidden <= 0 || vocab <= 0 || seq <= 0) {
                    return Optional.empty();
                }
                return Optional.of(new GemmShape(seq * s, vocab / t, hidden, 1));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** Useful share of the work: tile quantization of m and n times {@code k / (k + K0)}; in (0, 1]. */
    public double efficiency() {
        return quantized(m) * quantized(n) * k / (k + K0);
    }

    /** {@code x / (ceil(x / T) T)} with the tile T of a dimension x; 1 for an empty dimension. */
    static double quantized(double x) {
        if (x <= 0) {
            return 1;
        }
        double tile = Math.min(TILE, Math.max(16, Math.pow(2, Math.ceil(Math.log(x) / Math.log(2) - 1e-9))));
        return x / (Math.ceil(x / tile - 1e-9) * tile);
    }
}
