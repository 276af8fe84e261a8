package org.modelpar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code plan --zero-stage} and {@code plan --expert-parallel}: fixed values kept, bad values refused in one line. */
class PlanShardingCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aFixedZeroStageIsInThePlanFileAndTheLabel() {
        Run r = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--pp", "2", "--tp", "2",
                "--zero-stage", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"zeroStage\" : 2").contains(" zero-2");
    }

    @Test
    void badShardingIsBadInput() {
        Run zero = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16", "--zero-stage", "4");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("modelpar: --zero-stage must be 0, 1, 2 or 3, got 4");
        Run local = run("plan", "--model", "gpt-mini", "--cluster", "local:2", "--global-batch", "16", "--zero-stage", "1");
        assertThat(local.code()).isEqualTo(2);
        assertThat(local.err().strip()).isEqualTo("modelpar: ZeRO stage 1 is not run by modelpar's executor:"
                + " plans for local workers keep ZeRO stage 0");
        Run expert = run("plan", "--model", "gpt2-small", "--cluster", "dgx-a100", "--global-batch", "16",
                "--expert-parallel", "3");
        assertThat(expert.code()).isEqualTo(2);
        assertThat(expert.err().strip()).startsWith("modelpar: --expert-parallel 3 cannot work on 8 devices of cluster"
                + " 'dgx-a100': the data degree d must be a multiple of it, and d can be ");
    }
}
