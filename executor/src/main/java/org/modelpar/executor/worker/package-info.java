/**
 * One process per device: a {@link org.modelpar.executor.worker.Coordinator} hands the job to the worker
 * processes that join its rendezvous ({@link org.modelpar.executor.worker.Rendezvous}: flags, or the
 * environment that Slurm, a Kubernetes Indexed Job or a local launcher sets), collects their step reports
 * and assembles the training result and checkpoints; each {@link org.modelpar.executor.worker.Worker} runs
 * its device's program over the gRPC transport; {@link org.modelpar.executor.worker.LocalWorkers} starts
 * and supervises worker processes on this machine.
 */
package org.modelpar.executor.worker;
