/**
 * Executes a plan's {@link org.modelpar.simulator.program.StepProgram} with ND4J on local devices and
 * measures it. Facade: {@link org.modelpar.executor.Executor} (run steps, read parameters, the measured timeline and
 * peak memory); training loop, synthetic tasks and checkpoints in {@code train}; the hardware profiler in
 * {@code profile}.
 */
package org.modelpar.executor;
