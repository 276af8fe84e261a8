package org.modelpar.executor.worker;

import java.util.Optional;

/** A worker process for the tests (the cli's {@code modelpar worker} does the same): rendezvous from the environment. */
public final class TestWorkerMain {
    private TestWorkerMain() {
    }

    public static void main(String[] args) {
        try {
            Worker.run(Rendezvous.resolve(Optional.empty(), Optional.empty(), Optional.empty(), System.getenv()), "127.0.0.1");
        } catch (RuntimeException e) {
            System.err.println("worker: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
