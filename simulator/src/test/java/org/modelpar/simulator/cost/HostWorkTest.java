package org.modelpar.simulator.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.simulator.program.AllGather;
import org.modelpar.simulator.program.AllReduce;
import org.modelpar.simulator.program.Direction;
import org.modelpar.simulator.program.ReduceScatter;
import org.modelpar.simulator.program.TensorCollective;

/** The sums and copies a ring collective's member does on its host, and their seconds, on hand cases. */
class HostWorkTest {
    private static final List<String> TWO = List.of("a", "b");
    private static final List<String> FOUR = List.of("a", "b", "c", "d");

    @Test
    void aRingAllReduceFlattensAddsCopiesAndCopiesBack() {
        // 1,000 bytes over 2: flatten + copy back 4,000; one received half added (3 x 500), one copied (2 x 500)
        assertThat(HostWork.allReduce(1000, 2, 1)).isEqualTo(new HostWork(6500, 4));
        assertThat(new AllReduce(0, TWO, 1000).hostWork()).isEqualTo(new HostWork(6500, 4));
        // 3 collectives of 1,200 bytes in all over 4: 4,800 + 3 x 3/4 x 1,200 + 2 x 3/4 x 1,200, 3 x (2 + 3 + 3) calls
        assertThat(new TensorCollective(0, 0, Direction.FORWARD, FOUR, 1200, 3, TensorCollective.Kind.ALL_REDUCE).hostWork())
                .isEqualTo(new HostWork(4800 + 2700 + 1800, 24));
    }

    @Test
    void passesAddOrCopyWhatTheyReceive() {
        assertThat(new ReduceScatter(0, FOUR, 400, false).hostWork()).isEqualTo(new HostWork(900, 3));
        assertThat(new AllGather(0, FOUR, 400, AllGather.Phase.AFTER_STEP, 0).hostWork()).isEqualTo(new HostWork(600, 3));
        // 2 sequence-parallel passes of 400 bytes in all over 4: 2.5 x 3/4 x 400 bytes, 3 calls each
        assertThat(new TensorCollective(0, 0, Direction.BACKWARD, FOUR, 400, 2,
                TensorCollective.Kind.REDUCE_SCATTER_ALL_GATHER).hostWork()).isEqualTo(new HostWork(750, 6));
    }

    @Test
    void zeroPacksEveryTensorsPartsAndUnpacksItsOwn() {
        // 1,000 bytes of 3 tensors over 2 in 2 buckets: 2 flats zeroed and 3 x 2 parts copied in (3,000 bytes), 3 tensors
        // zeroed and their 3 own parts copied back (1,000 + 1,000)
        assertThat(HostWork.zeroReduceScatter(1000, 2, 3, 2, false)).isEqualTo(new HostWork(5000, 14));
        // a unit's: 1 flat, 3 x 2 parts in, then 3 own parts added (3 x 500)
        assertThat(HostWork.zeroReduceScatter(1000, 2, 3, 1, true)).isEqualTo(new HostWork(4500, 10));
        // the parameters' gather: 1 flat, 3 x 2 parts in, 3 x 2 parts out (2,000)
        assertThat(HostWork.zeroParameterGather(1000, 2, 3)).isEqualTo(new HostWork(5000, 13));
        assertThat(HostWork.zeroParameterGather(1000, 1, 3)).isEqualTo(HostWork.NONE);
    }

    @Test
    void aMemberAloneDoesNothing() {
        assertThat(new AllReduce(0, List.of("a"), 1000).hostWork()).isEqualTo(HostWork.NONE);
        assertThat(HostWork.allGather(0, 4, 1)).isEqualTo(HostWork.NONE);
    }

    @Test
    void secondsAreLaunchesPlusBytesOverTheElementwiseBandwidth() {
        DeviceProfile cpu = new DeviceProfile("cpu", Map.of("fp32", 1e11), 1L << 30, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(0.5), 2e-5, "test");
        CostModel cost = new RooflineCostModel();
        // 4 calls x 20 us + 6,500 bytes at 0.5 x 1 GB/s
        assertThat(cost.hostSeconds(cpu, new HostWork(6500, 4))).isCloseTo(8e-5 + 1.3e-5, offset(1e-15));
        assertThat(cost.hostSeconds(cpu, HostWork.NONE)).isZero();
        // the same work at 5 us a call: 4 x 5 us + the same bytes, also where the profile measured its host calls
        assertThat(new HostWork(6500, 4).seconds(cpu, 5e-6)).isCloseTo(2e-5 + 1.3e-5, offset(1e-15));
        DeviceProfile measured = new DeviceProfile("cpu", Map.of("fp32", 1e11), 1L << 30, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(0.5), 2e-5, 5e-6, Map.of(), KernelLaunches.NONE, "test");
        assertThat(cost.hostSeconds(measured, new HostWork(6500, 4))).isCloseTo(2e-5 + 1.3e-5, offset(1e-15));
        // where the profile measured its host copies (0.25 GB/s), they price the bytes instead of the bandwidth
        DeviceProfile copies = new DeviceProfile("cpu", Map.of("fp32", 1e11), 1L << 30, 1e9, EfficiencyCurve.constant(1),
                EfficiencyCurve.constant(0.5), 2e-5, 5e-6, 2.5e8, Map.of(), KernelLaunches.NONE, "test");
        assertThat(cost.hostSeconds(copies, new HostWork(6500, 4))).isCloseTo(2e-5 + 2.6e-5, offset(1e-15));
    }

    @Test
    void bytesWithoutCallsAreRefused() {
        assertThatThrownBy(() -> new HostWork(10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 10.0 bytes in 0 calls");
    }
}
