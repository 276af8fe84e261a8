/**
 * Plain-Java partitioners over per-block cost arrays: the exact chain partition (dynamic program), the exact
 * programs over a DAG's ideals (even and replicated stages, with a pluggable stage cost: PipeDream's is
 * {@link org.modelpar.solver.partition.PipeDreamCost}) and their branch and bound, PipeDream's replicated
 * dynamic program over a chain and its chain compression of a DAG, a DeepSpeed-style parameter-balanced split and Baechi's m-ETF
 * list scheduling for DAG placement. Pure functions; no Timefold, no simulator.
 */
package org.modelpar.solver.partition;
