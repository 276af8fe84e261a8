package org.modelpar.executor.worker;

import java.util.Optional;
import org.modelpar.executor.FaultHook;

/**
 * A worker process for the tests (the cli's {@code modelpar worker} does the same): rendezvous from the
 * environment. The argument {@code hang=R:S:I} makes rank R hang (sleep, alive) before instruction I of step S.
 */
public final class TestWorkerMain {
    private TestWorkerMain() {
    }

    public static void main(String[] args) {
        try {
            Rendezvous r = Rendezvous.resolve(Optional.empty(), Optional.empty(), Optional.empty(), System.getenv());
            Worker.run(r, "127.0.0.1", args.length == 1 && args[0].startsWith("hang=") ? hang(r.rank(), args[0].substring(5)) : FaultHook.none());
        } catch (RuntimeException e) {
            System.err.println("worker: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    private static FaultHook hang(int rank, String at) {
        String[] f = at.split(":");
        int hungRank = Integer.parseInt(f[0]);
        int step = Integer.parseInt(f[1]);
        int index = Integer.parseInt(f[2]);
        return (device, s, i, instruction) -> {
            if (rank == hungRank && s == step && i == index) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
