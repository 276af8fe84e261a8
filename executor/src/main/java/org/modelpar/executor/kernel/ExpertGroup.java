package org.modelpar.executor.kernel;

import java.util.List;
import org.modelpar.simulator.plan.PlanException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The expert-parallel group a device belongs to (Lepikhin et al., "GShard", ICLR 2021): e data-parallel replicas of
 * a stage, member m holding routed experts {@code [m E / e, (m + 1) E / e)} of every layer. An expert's kernel moves
 * each member's tokens for that expert to its holder ({@link #gather}) and the results back ({@link #scatter}): one
 * expert's share of the layer's dispatch and combine all-to-alls, as direct sends. Every member makes the same calls
 * in the same order (the same kernels in the same program).
 */
public interface ExpertGroup {
    /** No expert parallelism: the device holds every expert. */
    ExpertGroup SOLO = shapeOnly(1, 0);

    /** Expert-parallel degree e. */
    int size();

    /** This device's member index in {@code [0, e)}. */
    int member();

    /**
     * Every member's {@code part} at {@code holder}: by member index on the holder, empty elsewhere (the others' parts
     * are sent there).
     */
    List<INDArray> gather(int holder, INDArray part);

    /** Member m's {@code parts.get(m)} from {@code holder} (which passes all of them) to m; every member gets its own. */
    INDArray scatter(int holder, List<INDArray> parts);

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
     * Member 0 of a group of {@code size} that runs alone and holds every expert, to measure a holder's memory: a gather
     * allocates what receiving the other members' parts allocates (copies of its own part) and moves nothing.
     */
    static ExpertGroup alone(int size) {
        return new ExpertGroup() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int member() {
                return 0;
            }

            @Override
            public int holder(int expert, int experts) {
                ExpertGroup.super.holder(expert, experts);
                return 0;
            }

            @Override
            public List<INDArray> gather(int holder, INDArray part) {
                List<INDArray> parts = new java.util.ArrayList<>(List.of(part));
                for (int m = 1; m < size; m++) {
                    parts.add(part.dup());
                }
                return parts;
            }

            @Override
            public INDArray scatter(int holder, List<INDArray> parts) {
                return parts.get(0);
            }
        };
    }

    /** A group that only describes which experts member {@code member} of {@code size} holds; its exchanges throw. */
    static ExpertGroup shapeOnly(int size, int member) {
        return new ExpertGroup() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public int member() {
                return member;
            }

            @Override
            public List<INDArray> gather(int holder, INDArray part) {
                alone();
                return List.of(part);
            }

            @Override
            public INDArray scatter(int holder, List<INDArray> parts) {
                alone();
                return parts.get(0);
            }

            private void alone() {
                if (size > 1) {
                    throw new UnsupportedOperationException("expert member " + member + " of " + size + " describes shapes only");
                }
            }
        };
    }
}
