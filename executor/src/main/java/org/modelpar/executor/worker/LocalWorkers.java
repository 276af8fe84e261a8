package org.modelpar.executor.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts one worker process per rank on this machine (loopback) and supervises them: a process that exits
 * with a non-zero code before the run is over fails the run at the coordinator, naming its rank, pid and
 * how it ended (killed by a signal, or the last line it printed). Each process's output goes to
 * {@code rank-R.log} in a temporary folder, removed after a run that ended well and kept after a failure.
 */
public final class LocalWorkers implements AutoCloseable {
    /** Each worker runs ND4J on one thread: OpenMP, and the BLAS libraries that read their own variable. */
    private static final List<String> SINGLE_THREADED = List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS");
    /** Parts of a flag that keep it to this JVM: debuggers, and output files (logs, class lists, archives, recordings). */
    private static final List<String> OWN_FILES = List.of("-Xrun", "-Xdebug", ":file=", "ArchiveClassesAtExit", "DumpLoadedClassList",
            "FlightRecord", "HeapDumpPath", "ErrorFile");
    /**
     * A worker process compiles with C1 alone (docs/executor.md, "The workers' JIT"; the launcher runs a {@code train}
     * with worker processes on C1 too, so that its calibration times the kernels as the workers run them). Each process
     * compiles the executor's, ND4J's and gRPC's Java paths on its own with its share of the cores, and a call made once
     * per step reaches C2's thresholds only after thousands of steps: with C2, each worker of the mlp on two processes
     * of the 2-core machine still spent 20-47% of a core in its C2 compiler thread 15 s into the run, and the step
     * measured 18.5-23 ms against 12.3-12.8 ms with C1 alone (bench/executor-jit.sh).
     */
    static final String WORKER_JIT = "-XX:TieredStopAtLevel=1";
    /** The variable the {@code java} launcher reads options from, before those of its command line. */
    static final String JVM_OPTIONS = "JDK_JAVA_OPTIONS";
    private final List<Process> processes = new ArrayList<>();
    private final Path logs;
    private volatile boolean closing;

    private LocalWorkers(Path logs) {
        this.logs = logs;
    }

    /**
     * Starts {@code worldSize} processes of {@code command}, each with {@code MODELPAR_COORDINATOR},
     * {@code MODELPAR_RANK}, {@code MODELPAR_WORLD_SIZE}, one ND4J thread ({@code OMP_NUM_THREADS=1}, {@code OPENBLAS_NUM_THREADS=1},
     * {@code MKL_NUM_THREADS=1}) and its share of the cores ({@link #jvmOptions}) in its environment.
     */
    public static LocalWorkers start(List<String> command, int worldSize, String coordinatorAddress, Coordinator coordinator) {
        LocalWorkers w;
        try {
            w = new LocalWorkers(Files.createTempDirectory("modelpar-workers"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the workers' logs: " + e.getMessage(), e);
        }
        try {
            for (int rank = 0; rank < worldSize; rank++) {
                Path log = w.logs.resolve("rank-" + rank + ".log");
                ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                b.environment().put("MODELPAR_COORDINATOR", coordinatorAddress);
                b.environment().put("MODELPAR_RANK", Integer.toString(rank));
                b.environment().put("MODELPAR_WORLD_SIZE", Integer.toString(worldSize));
                SINGLE_THREADED.forEach(v -> b.environment().put(v, "1"));
                b.environment().put(JVM_OPTIONS, jvmOptions(b.environment().get(JVM_OPTIONS), Runtime.getRuntime().availableProcessors(), worldSize));
                Process p = b.start();
                w.processes.add(p);
                int r = rank;
                p.onExit().thenAccept(done -> {
                    int code = done.exitValue();
                    if (code > 128 && !w.closing) {
                        coordinator.fail(r, "step " + coordinator.currentStep(), "worker process " + done.pid()
                                + " was killed by signal " + (code - 128) + " (its output: " + log + ")");
                    } else if (code != 0 && !w.closing) {
                        // it reported its own failure before it exited, unless another rank's loss caused it
                        coordinator.failAfterGrace(r, "step " + coordinator.currentStep(), "worker process " + done.pid()
                                + " exited with code " + code + lastLine(log) + " (its output: " + log + ")");
                    }
                });
            }
            return w;
        } catch (IOException e) {
            w.kill();
            throw new UncheckedIOException("cannot start worker process " + command + ": " + e.getMessage(), e);
        }
    }

    /**
     * The java command that runs {@code mainClass} with this JVM's class path, the executor's JVM flags (the parallel
     * collector with a fixed young generation, docs/executor.md "Scratch memory"; the JIT's C1 compiler alone,
     * {@link #WORKER_JIT}) and this JVM's own {@code -X} flags ({@link #inheritedFlags}), which come after them and so
     * win ({@code -XX:TieredStopAtLevel=4} brings C2 back).
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> out = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "-Xmn256m", "-XX:SurvivorRatio=2", "-XX:-UseAdaptiveSizePolicy", WORKER_JIT,
                "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"));
        inheritedFlags(ManagementFactory.getRuntimeMXBean().getInputArguments()).stream().filter(f -> !out.contains(f)).forEach(out::add);
        out.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        out.addAll(args);
        return out;
    }

    /**
     * The flags of this JVM ({@code jvmArguments}) a worker process runs with too: every {@code -X} flag (heap,
     * collector, compiler, logging, and the launcher's class-data-sharing archive, which maps the classes a worker
     * loads instead of parsing them in each process, as the class path is the same). Agents, debuggers, system
     * properties and flags that write a file ({@link #OWN_FILES}: every worker would write the same one) stay with this JVM.
     */
    static List<String> inheritedFlags(List<String> jvmArguments) {
        return jvmArguments.stream().filter(a -> a.startsWith("-X") && OWN_FILES.stream().noneMatch(a::contains)).toList();
    }

    /**
     * The {@link #JVM_OPTIONS} of a worker: {@code inherited} (this process's own, may be null) and
     * {@code -XX:ActiveProcessorCount} set to its share of the {@code cores}, at least one. A worker computes on one
     * thread, and the JVM sizes its own threads by the cores it sees: with all of them, each worker's parallel collector
     * stops it on as many threads as the machine has cores, and where the workers fill the cores those threads wait for
     * each other behind the other workers' compute (on the 2-core machine, a worker of the transport benchmark spent
     * 2.4 s of collector CPU time per minute with two collector threads in one run at load 9, 1.1-1.9 s with one in
     * three runs at load 7-14).
     */
    static String jvmOptions(String inherited, int cores, int localWorkers) {
        String share = "-XX:ActiveProcessorCount=" + Math.max(1, cores / localWorkers);
        return inherited == null || inherited.isBlank() ? share : inherited.strip() + " " + share;
    }

    /** Kills every process still running at once (a failed run: the others would only wait for it). */
    public void kill() {
        closing = true;
        processes.forEach(Process::destroyForcibly);
    }

    /** Waits a few seconds for the processes to finish after the run, kills what is left, removes the logs. */
    @Override
    public void close() {
        closing = true;
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                return;
            }
        }
        try (var files = Files.list(logs)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(logs);
        } catch (IOException e) {
            // a log left behind in the temporary folder is harmless
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "";
        }
    }
}
