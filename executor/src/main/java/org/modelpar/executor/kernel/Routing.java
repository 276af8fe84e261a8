package org.modelpar.executor.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Top-k routing with a fixed expert capacity (Lepikhin et al., "GShard", ICLR 2021, section 2.2; Fedus et al.,
 * "Switch Transformers", JMLR 2022, section 2.2). Each token goes to its {@code topK} most probable experts (equal
 * probabilities: the lower expert index first). Every sample is its own group: an expert takes at most
 * {@code capacity} of a sample's tokens, in token order, and a token past that is dropped for that expert (its
 * residual path carries it on). Slot {@code i} of expert j in sample n is row {@code n * capacity + i} of the
 * expert's input and output; a slot no token fills is a zero row. Routing per sample makes a token's experts
 * independent of how a batch is split into micro-batches or replicas.
 */
final class Routing {
    private final int tokens;
    private final int slots;
    private final int[][] tokenOfSlot;
    private final int[][] slotOfToken;

    private Routing(int tokens, int slots, int[][] tokenOfSlot, int[][] slotOfToken) {
        this.tokens = tokens;
        this.slots = slots;
        this.tokenOfSlot = tokenOfSlot;
        this.slotOfToken = slotOfToken;
    }

    /**
     * The routing of {@code samples} samples' tokens by the router's probabilities {@code probs} ({@code [tokens, experts]}).
     *
     * @throws IllegalArgumentException when the tokens do not split into {@code samples} equal samples
     */
    static Routing of(INDArray probs, int topK, int samples, int capacity) {
        int tokens = Math.toIntExact(probs.rows());
        int experts = Math.toIntExact(probs.columns());
        if (samples < 1 || tokens % samples != 0) {
            throw new IllegalArgumentException(tokens + " tokens do not split into " + samples + " samples");
        }
        int seq = tokens / samples;
        int slots = samples * capacity;
        // the probabilities copied once (a view made contiguous first)
        double[] p = (probs.isView() || probs.ordering() != 'c' ? probs.dup('c') : probs).data().asDouble();
        int[][] tokenOfSlot = new int[experts][slots];
        int[][] slotOfToken = new int[experts][tokens];
        for (int j = 0; j < experts; j++) {
            Arrays.fill(tokenOfSlot[j], tokens);
            Arrays.fill(slotOfToken[j], slots);
        }
        int[] filled = new int[experts];
        int[] chosen = new int[topK];
        boolean[] taken = new boolean[experts];
        for (int t = 0; t < tokens; t++) {
            if (t % seq == 0) {
                Arrays.fill(filled, 0);
            }
            best(p, t * experts, taken, chosen);
            for (int j : chosen) {
                if (filled[j] < capacity) {
                    int slot = (t / seq) * capacity + filled[j]++;
                    tokenOfSlot[j][slot] = t;
                    slotOfToken[j][t] = slot;
                }
            }
        }
        return new Routing(tokens, slots, tokenOfSlot, slotOfToken);
    }

    /**
     * The {@code chosen.length} largest of {@code p[from, from + taken.length)} as indices into {@code chosen}, largest
     * first, ties to the lower index ({@code taken} is scratch: one token's choice allocates nothing).
     */
    private static void best(double[] p, int from, boolean[] taken, int[] chosen) {
        int n = taken.length;
        Arrays.fill(taken, false);
        for (int c = 0; c < chosen.length; c++) {
            int arg = -1;
            for (int j = 0; j < n; j++) {
                if (!taken[j] && (arg < 0 || p[from + j] > p[from + arg])) {
                    arg = j;
                }
            }
            taken[arg] = true;
            chosen[c] = arg;
        }
    }

    /** Expert {@code j}'s input rows {@code [samples * capacity, width]}: its tokens' rows of {@code tokenRows}, zero rows for empty slots. */
    INDArray dispatch(INDArray tokenRows, int j) {
        return gather(tokenRows, tokenOfSlot[j]);
    }

    /** Expert {@code j}'s {@code slotRows} back on the tokens' rows {@code [tokens, width]}, zero rows for tokens it did not take. */
    INDArray undispatch(INDArray slotRows, int j) {
        return gather(slotRows, slotOfToken[j]);
    }

    /** Tokens routed (the rows of {@link #undispatch}). */
    int tokens() {
        return tokens;
    }

    /** Capacity slots of an expert over all samples (the rows of {@link #dispatch}). */
    int slots() {
        return slots;
    }

    /**
     * Rows {@code index} of {@code rows}, where index {@code rows.rows()} stands for a zero row: two native ops
     * whatever the routing, a gather (such an index takes row 0) and a product by each row's 1 or 0 that zeroes those
     * rows (row 0 being finite). A copy of {@code rows} padded with a zero row, once per expert and direction, was a
     * fifth of the small moe's allocation on its compute threads.
     */
    private static INDArray gather(INDArray rows, int[] index) {
        int missing = rows.rows();
        int[] source = new int[index.length];
        float[] kept = new float[index.length];
        for (int i = 0; i < index.length; i++) {
            boolean present = index[i] != missing;
            source[i] = present ? index[i] : 0;
            kept[i] = present ? 1 : 0;
        }
        INDArray out = Nd4j.exec(new Gather(rows, Nd4j.createFromArray(source), 0))[0];
        return out.muliColumnVector(Nd4j.createFromArray(kept).reshape(index.length, 1).castTo(out.dataType()));
    }
}
