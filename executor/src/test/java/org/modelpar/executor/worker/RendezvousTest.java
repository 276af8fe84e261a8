package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Flags win over the environment; each launcher's variables give the same rendezvous. */
class RendezvousTest {
    private static final Optional<String> NO_ADDRESS = Optional.empty();
    private static final Optional<Integer> NONE = Optional.empty();

    @Test
    void flagsWinOverTheEnvironment() {
        Rendezvous r = Rendezvous.resolve(Optional.of("10.0.0.5:4000"), Optional.of(2), Optional.of(4),
                Map.of("MODELPAR_COORDINATOR", "elsewhere:1", "MODELPAR_RANK", "0", "MODELPAR_WORLD_SIZE", "8"));
        assertThat(r).isEqualTo(new Rendezvous("10.0.0.5", 4000, 2, 4));
        assertThat(r.loopback()).isFalse();
    }

    @Test
    void modelparVariables() {
        Rendezvous r = Rendezvous.resolve(NO_ADDRESS, NONE, NONE,
                Map.of("MODELPAR_COORDINATOR", "127.0.0.1:35001", "MODELPAR_RANK", "1", "MODELPAR_WORLD_SIZE", "2"));
        assertThat(r).isEqualTo(new Rendezvous("127.0.0.1", 35001, 1, 2));
        assertThat(r.loopback()).isTrue();
    }

    @Test
    void slurmTaskIdsAndTheFirstHostOfTheNodeList() {
        Rendezvous r = Rendezvous.resolve(NO_ADDRESS, NONE, NONE,
                Map.of("SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_JOB_NODELIST", "gpu[07-08,11],cpu1"));
        assertThat(r).isEqualTo(new Rendezvous("gpu07", Rendezvous.DEFAULT_PORT, 5, 8));
        assertThat(Rendezvous.firstSlurmHost("node1,node2")).isEqualTo("node1");
        assertThat(Rendezvous.firstSlurmHost("n[3,5]")).isEqualTo("n3");
        assertThat(Rendezvous.firstSlurmHost("[07-09]")).isEqualTo("07");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ",node1", "node[03-05", "node[]", "node[,3]", "[]"})
    void aSlurmNodeListWithoutAFirstHostIsAOneLineError(String nodeList) {
        assertThatThrownBy(() -> Rendezvous.firstSlurmHost(nodeList)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SLURM_JOB_NODELIST must start with a host (name, or prefix[range]), got '" + nodeList + "'");
    }

    @Test
    void kubernetesIndexedJobReachesThePodOfIndexZeroThroughTheHeadlessService() {
        Rendezvous r = Rendezvous.resolve(NO_ADDRESS, NONE, NONE, Map.of("JOB_COMPLETION_INDEX", "3",
                "MODELPAR_JOB", "modelpar", "MODELPAR_SERVICE", "modelpar-workers", "MODELPAR_WORLD_SIZE", "4"));
        assertThat(r).isEqualTo(new Rendezvous("modelpar-0.modelpar-workers", Rendezvous.DEFAULT_PORT, 3, 4));
    }

    @Test
    void missingOrMalformedValuesAreNamed() {
        assertThatThrownBy(() -> Rendezvous.resolve(NO_ADDRESS, NONE, NONE, Map.of()))
                .hasMessageStartingWith("no coordinator: give --coordinator HOST:PORT");
        assertThatThrownBy(() -> Rendezvous.resolve(Optional.of("h:1"), NONE, NONE, Map.of("MODELPAR_RANK", "one")))
                .hasMessage("MODELPAR_RANK must be an integer, got 'one'");
        assertThatThrownBy(() -> Rendezvous.resolve(Optional.of("h:1"), Optional.of(4), Optional.of(4), Map.of()))
                .hasMessage("rank must be in [0, 4), got 4");
        assertThatThrownBy(() -> Rendezvous.resolve(NO_ADDRESS, NONE, NONE, Map.of("MODELPAR_SERVICE", "svc")))
                .hasMessage("MODELPAR_JOB is not set (needed with MODELPAR_SERVICE)");
    }
}
