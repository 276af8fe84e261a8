/**
 * The Timefold placement model: op blocks (planning entities) are assigned to pipeline stages (planning
 * values) under hard memory and stage-order constraints, minimizing the slowest stage and then the bytes
 * crossing stages. Mutable Timefold classes stay inside this package; {@link
 * org.modelpar.solver.timefold.TimefoldPlacer} takes and returns immutable values.
 */
package org.modelpar.solver.timefold;
