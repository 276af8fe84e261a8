/**
 * Forward and backward kernels in ND4J, one per op kind of the {@code mlp} and {@code gpt} zoo models
 * (docs/op-kinds.md), with hand-written backward rules checked against finite differences in tests.
 * Kernels are stateless and dtype-agnostic: they compute in the dtype of their inputs (fp32 in training,
 * fp64 in gradient checks). Hidden states are row matrices {@code [samples * tokens, width]}. The kernels with
 * parameters split their backward into an input-gradient and a weight-gradient part ({@code SplitBackward}, for
 * ZB-H1).
 */
package org.modelpar.executor.kernel;
