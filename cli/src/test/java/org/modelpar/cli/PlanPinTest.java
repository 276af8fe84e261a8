package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;

/** {@code plan --pin OP=STAGE} and {@code plan --from FILE}. */
class PlanPinTest {
    private static final String[] BASE = {"plan", "--model", "gpt-tiny", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2"};

    private static String[] args(String... more) {
        String[] all = new String[BASE.length + more.length];
        System.arraycopy(BASE, 0, all, 0, BASE.length);
        System.arraycopy(more, 0, all, BASE.length, more.length);
        return all;
    }

    @Test
    void pinnedOpLandsOnItsStageAndFromSaysWhatChanged(@TempDir Path dir) {
        Path free = dir.resolve("free.json");
        assertThat(CliRun.of(args("--out", free.toString())).exitCode()).isZero();
        PlacementPlan before = PlanJson.read(free).plan();
        assertThat(before.stages().get(1).ops()).contains("block2.ln1");

        Path pinned = dir.resolve("pinned.json");
        CliRun run = CliRun.of(args("--pin", "block2.ln1=0", "--from", free.toString(), "--out", pinned.toString()));
        assertThat(run.exitCode()).as(run.err()).isZero();
        PlacementPlan after = PlanJson.read(pinned).plan();
        assertThat(after.stages().get(0).ops()).contains("block2.ln1");
        assertThat(run.out()).contains("changed from the earlier plan:", "stage 0: ops embed..block1.add2");
    }

    @Test
    void badPinsAreExitTwoOrThree(@TempDir Path dir) {
        CliRun unknown = CliRun.of(args("--pin", "nope=0"));
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("modelpar: --pin nope=0: graph 'gpt-tiny' has no op 'nope'\n");
        CliRun tooFar = CliRun.of(args("--pin", "block2.ln1=5"));
        assertThat(tooFar.exitCode()).isEqualTo(3);
        assertThat(tooFar.err()).startsWith("modelpar: no configuration places the pinned ops {block2.ln1=5}");
    }
}
