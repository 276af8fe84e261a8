package org.modelpar.executor;

import java.util.List;
import java.util.Map;
import org.modelpar.executor.kernel.TensorGroup;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.program.DeviceProgram;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A device's tensor-parallel group over the run's transport: the ring collectives of {@code RingCollectives}
 * among the devices of its stage replica, in tensor-rank order. Every member makes the same calls in the same
 * order (the same kernels in the same program), so the n-th call of each member is the same collective
 * ({@code tp n}). It times its collectives ({@link #takeNanos}), so that the interpreter records them as the
 * program's {@code TensorCollective} instead of inside the compute that called them.
 */
final class TensorRing implements TensorGroup, CollectiveClock {
    private final String device;
    private final List<String> ring;
    private final RunContext run;
    private long calls;
    private long busyNanos;

    TensorRing(String device, List<String> ring, RunContext run) {
        this.device = device;
        this.ring = List.copyOf(ring);
        this.run = run;
    }

    /** The group of {@code p}'s device: the devices of its stage replica, in tensor-rank order. */
    static TensorRing of(PlacementPlan plan, DeviceProgram p, RunContext run) {
        int t = plan.tensorParallel();
        return new TensorRing(p.device(), plan.stages().get(p.stage()).devices().subList(p.replica() * t, (p.replica() + 1) * t), run);
    }

    @Override
    public int size() {
        return ring.size();
    }

    @Override
    public int rank() {
        return ring.indexOf(device);
    }

    @Override
    public void allReduce(INDArray values) {
        timed(id -> run.collectives().allReduce(id, device, ring, Map.of("x", values), run.control()));
    }

    @Override
    public INDArray allGather(INDArray part) {
        long length = part.length();
        INDArray flat = Nd4j.create(part.dataType(), size() * length);
        flat.get(NDArrayIndex.interval(rank() * length, (rank() + 1) * length)).assign(part.reshape(length));
        timed(id -> run.collectives().allGather(id, device, ring, flat, run.control()));
        return flat.reshape(size(), length);
    }

    @Override
    public INDArray reduceScatter(INDArray values) {
        INDArray flat = values.reshape(values.length());
        long chunk = flat.length() / size();
        if (chunk * size() != flat.length()) {
            throw new IllegalArgumentException("a reduce-scatter over " + size() + " ranks needs a length they divide, got "
                    + flat.length());
        }
        timed(id -> run.collectives().reduceScatter(id, device, ring, flat, run.control()));
        return flat.get(NDArrayIndex.interval(rank() * chunk, (rank() + 1) * chunk));
    }

    /** Runs the next collective ({@code tp n}), adding its time to {@link #takeNanos}. */
    private void timed(Collective collective) {
        long start = run.ticker().nanos();
        try {
            collective.run("tp " + calls++);
            busyNanos += run.ticker().nanos() - start;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunControl.Aborted();
        }
    }

    /** One ring collective under its id. */
    @FunctionalInterface
    private interface Collective {
        void run(String id) throws InterruptedException;
    }

    @Override
    public long takeNanos() {
        long out = busyNanos;
        busyNanos = 0;
        return out;
    }
}
