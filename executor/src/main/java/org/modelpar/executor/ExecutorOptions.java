package org.modelpar.executor;

import java.time.Duration;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * How to run a plan.
 *
 * @param seed              parameter initialisation seed
 * @param dataType          FLOAT for training, DOUBLE for exactness checks
 * @param learningRate      optimizer learning rate
 * @param memoryBudgetBytes per-device memory budget; devices not named get {@code defaultBudgetBytes}
 * @param defaultBudgetBytes budget of devices not in the map
 * @param threadsPerDevice  ND4J/OpenMP/BLAS threads for each worker
 * @param timeout           longest wait for a message or collective before the run fails
 * @param ticker            clock for the trace
 * @param faultHook         called before every instruction (tests inject faults)
 */
public record ExecutorOptions(long seed, DataType dataType, double learningRate, Map<String, Long> memoryBudgetBytes,
                              long defaultBudgetBytes, int threadsPerDevice, Duration timeout, Ticker ticker,
                              FaultHook faultHook) {
    public ExecutorOptions {
        memoryBudgetBytes = Map.copyOf(memoryBudgetBytes);
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
        if (threadsPerDevice < 1) {
            throw new IllegalArgumentException("threadsPerDevice must be at least 1, got " + threadsPerDevice);
        }
    }

    /** fp32, unlimited memory, one thread per device, 60 s timeout, system clock, no faults. */
    public static ExecutorOptions defaults(long seed, double learningRate) {
        return new ExecutorOptions(seed, DataType.FLOAT, learningRate, Map.of(), Long.MAX_VALUE, 1,
                Duration.ofSeconds(60), Ticker.system(), FaultHook.none());
    }

    public ExecutorOptions withDataType(DataType type) {
        return new ExecutorOptions(seed, type, learningRate, memoryBudgetBytes, defaultBudgetBytes, threadsPerDevice, timeout, ticker, faultHook);
    }

    public ExecutorOptions withFaultHook(FaultHook hook) {
        return new ExecutorOptions(seed, dataType, learningRate, memoryBudgetBytes, defaultBudgetBytes, threadsPerDevice, timeout, ticker, hook);
    }

    public ExecutorOptions withMemoryBudgets(Map<String, Long> budgets, long defaultBytes) {
        return new ExecutorOptions(seed, dataType, learningRate, budgets, defaultBytes, threadsPerDevice, timeout, ticker, faultHook);
    }

    public ExecutorOptions withTimeout(Duration t) {
        return new ExecutorOptions(seed, dataType, learningRate, memoryBudgetBytes, defaultBudgetBytes, threadsPerDevice, t, ticker, faultHook);
    }

    public ExecutorOptions withTicker(Ticker t) {
        return new ExecutorOptions(seed, dataType, learningRate, memoryBudgetBytes, defaultBudgetBytes, threadsPerDevice, timeout, t, faultHook);
    }

    long budgetOf(String device) {
        return memoryBudgetBytes.getOrDefault(device, defaultBudgetBytes);
    }
}
