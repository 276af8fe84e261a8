package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.modelpar.simulator.plan.PlanException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The expert-parallel group a device belongs to (Lepikhin et al., "GShard", ICLR 2021): e data-parallel replicas of
 * a stage, member m holding routed experts {@code [m E / e, (m + 1) E / e)} of every layer. A layer's experts move
 * each member's tokens for an expert to its holder and the results back: the layer's dispatch and combine all-to-alls,
 * as tagged point-to-point messages. A member {@link #post posts} without waiting, so it sends its tokens for every
 * expert it does not hold before it runs its own experts on the tokens the others posted ({@link MoeExpert}).
 */
public interface ExpertGroup {
    /** What every expert-parallel message's tag starts with. */
    String TAG_PREFIX = "ep ";

    /** No expert parallelism: the device holds every expert. */
    ExpertGroup SOLO = shapeOnly(1, 0);

    /** Expert-parallel degree e. */
    int size();

    /** This device's member index in {@code [0, e)}. */
    int member();

    /** Sends {@code part} to member {@code to} under {@code tag} without waiting for it to be taken. */
    void post(int to, String tag, INDArray part);

    /** What member {@code from} posted to this device under {@code tag}; waits for it. */
    INDArray take(int from, String tag);

    /** Every member's part under {@code tag}, by member index: {@code own} at this device's, the others taken. */
    List<INDArray> collect(String tag, INDArray own);

    /**
     * The member holding expert {@code expert} of {@code experts}.
     *
     * @throws PlanException when e does not divide the experts
     */
    default int holder(int expert, int experts) {
        if (experts % size() != 0) {
            throw new PlanException("the executor spreads a layer's experts evenly over the expert-parallel group; degree "
                    + size() + " does not divide " + experts + " experts");
        }
        return expert / (experts / size());
    }

    /**
     * Whether this member's tokens for expert {@code expert} of {@code experts} are computed by another member (its
     * {@link #holder}): it posts them there and takes back their outputs and input gradients.
     */
    default boolean elsewhere(int expert, int experts) {
        return holder(expert, experts) != member();
    }

    /** The first expert of {@code experts} this device holds: its first expert op of a layer's forward, its last in backward. */
    default int firstHeld(int experts) {
        return member() * (experts / size());
    }

    /**
     * Member 0 of a group of {@code size} that runs alone and computes every expert, to measure a holder's memory: a
     * collect allocates what receiving the other members' parts allocates (copies of its own part); it still exchanges
     * as member 0 does with the holders of the experts it does not hold ({@link #elsewhere}), posts moving nothing (but
     * the shape and type of what they post) and a take allocating, in the caller's scope, an array of what this member
     * posted under the tag (the holder's part for member 0 has the shape of its parts for the others).
     */
    static ExpertGroup alone(int size) {
        record Posted(DataType type, long[] shape) {
        }
        return new SolitaryGroup(size, 0) {
            private final Map<String, Posted> posted = new HashMap<>();

            @Override
            public int holder(int expert, int experts) {
                super.holder(expert, experts);
                return 0;
            }

            @Override
            public boolean elsewhere(int expert, int experts) {
                return super.holder(expert, experts) != 0;
            }

            @Override
            public int firstHeld(int experts) {
                return 0;
            }

            @Override
            public void post(int to, String tag, INDArray part) {
                posted.put(tag, new Posted(part.dataType(), part.shape()));
            }

            @Override
            public INDArray take(int from, String tag) {
                Posted like = posted.get(tag);
                if (like == null) {
                    throw new IllegalStateException("nothing posted under '" + tag + "' to measure a take of");
                }
                return Nd4j.create(like.type(), like.shape());
            }

            @Override
            public List<INDArray> collect(String tag, INDArray own) {
                List<INDArray> parts = new ArrayList<>(List.of(own));
                for (int m = 1; m < size(); m++) {
                    parts.add(own.dup());
                }
                return parts;
            }
        };
    }

    /** A group that only describes which experts member {@code member} of {@code size} holds; its exchanges throw. */
    static ExpertGroup shapeOnly(int size, int member) {
        return new SolitaryGroup(size, member);
    }
}
