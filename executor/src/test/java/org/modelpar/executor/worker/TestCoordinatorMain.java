package org.modelpar.executor.worker;

import java.util.Optional;
import org.modelpar.executor.ExecutorOptions;
import org.modelpar.executor.train.TrainOptions;

/**
 * Rank 0 of a launched job for the tests, in a process of its own (the cli's {@code modelpar worker --plan} does the
 * same): coordinates the tests' run ({@link Launched}) on loopback port {@code args[0]} for {@code args[1]} steps, printing
 * {@code step N} as each ends.
 */
public final class TestCoordinatorMain {
    private TestCoordinatorMain() {
    }

    public static void main(String[] args) {
        TrainOptions options = new TrainOptions(Integer.parseInt(args[1]), ExecutorOptions.defaults(3, 1e-2), 9, Optional.empty(),
                Optional.empty());
        Launched.coordinate(Integer.parseInt(args[0]), options, r -> System.out.println("step " + r.step()));
        System.exit(0);
    }
}
