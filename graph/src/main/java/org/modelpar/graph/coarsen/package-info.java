/**
 * Coarsening: grouping ops into blocks so the solver can work on large graphs. Every coarsening
 * preserves all totals (FLOPs, parameter, activation and workspace bytes, measured seconds per device type)
 * and yields a DAG of blocks. {@link org.modelpar.graph.coarsen.Coarsener} is the facade.
 */
package org.modelpar.graph.coarsen;
