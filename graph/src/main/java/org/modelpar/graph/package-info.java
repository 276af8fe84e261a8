/**
 * The computation graph: immutable DAG of {@link org.modelpar.graph.OpNode}s joined by
 * {@link org.modelpar.graph.TensorEdge}s, with its readers, writers, model zoo and coarsening.
 */
package org.modelpar.graph;
