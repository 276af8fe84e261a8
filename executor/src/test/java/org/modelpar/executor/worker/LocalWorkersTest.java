package org.modelpar.executor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LocalWorkersTest {
    @Test
    void workersInheritTheJvmFlagsButNotAgentsDebuggersPropertiesOrOutputFiles() {
        List<String> parent = List.of("-XX:+UseParallelGC", "-XX:SharedArchiveFile=/m/cli/target/modelpar.jsa", "-Xlog:cds=off",
                "-Xmx2g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-javaagent:/j/agent.jar", "-agentlib:jdwp=transport=dt_socket",
                "-Xdebug", "-Xrunjdwp:server=y", "-ea", "-Xlog:gc:file=gc.log", "-XX:ArchiveClassesAtExit=a.jsa",
                "-XX:StartFlightRecording=filename=r.jfr");
        assertThat(LocalWorkers.inheritedFlags(parent))
                .containsExactly("-XX:+UseParallelGC", "-XX:SharedArchiveFile=/m/cli/target/modelpar.jsa", "-Xlog:cds=off", "-Xmx2g");
    }

    @Test
    void aWorkerCommandNamesEachFlagOnceBeforeTheClassPath() {
        List<String> command = LocalWorkers.javaCommand("org.example.Main", List.of("worker"));
        assertThat(command).doesNotHaveDuplicates().endsWith("org.example.Main", "worker");
        assertThat(command.indexOf("-XX:+UseParallelGC")).isPositive().isLessThan(command.indexOf("-cp"));
        assertThat(command.indexOf("-XX:TieredStopAtLevel=1")).as("workers compile with C1 alone").isPositive()
                .isLessThan(command.indexOf("-cp"));
    }

    @Test
    void eachWorkerSeesItsShareOfTheCoresAfterTheOptionsItInherits() {
        assertThat(LocalWorkers.jvmOptions(null, 2, 2)).isEqualTo("-XX:ActiveProcessorCount=1");
        assertThat(LocalWorkers.jvmOptions(" ", 2, 4)).isEqualTo("-XX:ActiveProcessorCount=1");
        assertThat(LocalWorkers.jvmOptions("-Xss4m ", 16, 3)).isEqualTo("-Xss4m -XX:ActiveProcessorCount=5");
    }
}
