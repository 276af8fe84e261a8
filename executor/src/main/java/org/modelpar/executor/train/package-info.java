/**
 * Training on synthetic tasks (a teacher network for {@code mlp}, a generated sequence language for
 * {@code gpt}), the training loop with per-step loss, and atomic, checksummed checkpoints.
 */
package org.modelpar.executor.train;
