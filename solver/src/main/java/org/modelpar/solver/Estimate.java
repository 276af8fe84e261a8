package org.modelpar.solver;

import java.util.Comparator;
import org.modelpar.solver.partition.IdealPartitioner;
import org.modelpar.solver.timefold.PlacementProblem;

/** A configuration placed by the dynamic program, with its estimated step. */
record Estimate(Configuration configuration, PlacementProblem problem, IdealPartitioner.Result partition, double stepSeconds) {
    static final Comparator<Estimate> ORDER = Comparator.comparingDouble(Estimate::stepSeconds);
}
