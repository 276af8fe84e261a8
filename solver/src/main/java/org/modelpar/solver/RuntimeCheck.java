package org.modelpar.solver;

import java.util.Optional;
import org.modelpar.simulator.plan.PlanOptions;
import org.modelpar.simulator.plan.Schedule;

/**
 * Which settings the runtime a plan is for trains, asked of that runtime (the solver does not depend on it): plans for
 * modelpar's executor ask its {@code PlanSupport} ({@code LocalTraining.executable}), so the rule of what it runs stays
 * in one place and the search proposes nothing it refuses ({@link PlanRequest#forRuntime}).
 */
@FunctionalInterface
public interface RuntimeCheck {
    /** Trains every setting: the simulator alone judges the plan. */
    RuntimeCheck ANY = (schedule, options) -> Optional.empty();

    /**
     * Why the runtime does not train the graph with this schedule (not interleaved: whether it trains model chunks
     * depends on their placement) and these plan options (ZeRO stage, expert-parallel degree), in one line; empty
     * when it does.
     */
    Optional<String> refusal(Schedule schedule, PlanOptions options);
}
