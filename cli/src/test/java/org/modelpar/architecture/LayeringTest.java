package org.modelpar.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import java.util.List;
import java.util.Set;
import org.modelpar.executor.profile.Calibration;
import org.modelpar.executor.train.Trainer;
import org.modelpar.simulator.program.Lowering;

/**
 * The module layering, checked on the compiled main classes of every module (the cli module's tests see them
 * all). A module's <em>internals</em> are its named internal packages, used only inside the module:
 * {@value #ENGINE} (the simulator's event engine), the solver's search ({@code solver.timefold},
 * {@code solver.partition}) and the executor's interpreter ({@code executor.kernel}, {@code executor.model});
 * every other package of a module is its facade. Package-private types are internal too, which the compiler
 * already enforces.
 */
@AnalyzeClasses(packages = "org.modelpar", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {
    static final String ENGINE = "org.modelpar.simulator.engine..";

    /** Each module's root package, then its internal packages (the engine has its own rule below). */
    private static final List<List<String>> INTERNALS = List.of(
            List.of("org.modelpar.solver..", "org.modelpar.solver.timefold..", "org.modelpar.solver.partition.."),
            List.of("org.modelpar.executor..", "org.modelpar.executor.kernel..", "org.modelpar.executor.model.."));

    /**
     * The types outside the simulator that read the engine's results today: the two engine-trace readers
     * the one-timeline change (issue 12, item 1) replaces, and the two readers of the out-of-memory event
     * that {@code SimulationReport} exposes from the engine package. Named by string so the rule compiles
     * once they are gone; delete each exception when its type no longer reaches into the engine.
     */
    private static final Set<String> ENGINE_READERS_TO_REPLACE = Set.of("org.modelpar.executor.Comparison",
            "org.modelpar.cli.report.SimulatedTrace", "org.modelpar.cli.SimulationTable", "org.modelpar.solver.CandidateBuilder");

    @ArchTest
    static final ArchRule nothingOutsideTheSimulatorUsesItsEngine = noClasses()
            .that().resideOutsideOfPackage("org.modelpar.simulator..")
            .and(DescribedPredicate.describe("are not engine readers to replace",
                    (JavaClass c) -> !ENGINE_READERS_TO_REPLACE.contains(c.getName())))
            .should().dependOnClassesThat().resideInAPackage(ENGINE)
            .because("the engine is the simulator's internals; its results leave through SimulationReport");

    @ArchTest
    static final ArchRule noModuleReachesIntoAnothersInternals = CompositeArchRule.of(INTERNALS.stream()
            .map(LayeringTest::internalTo).toList());

    @ArchTest
    static final ArchRule theWorkflowLibraryNeverUsesPicocli = noClasses()
            .that().resideInAPackage("org.modelpar.workflow..")
            .should().dependOnClassesThat().resideInAPackage("picocli..")
            .because("the workflow is a library a Java caller uses without the command line");

    @ArchTest
    static final ArchRule theWorkflowLibraryNeverUsesTheCommands = noClasses()
            .that().resideInAPackage("org.modelpar.workflow..")
            .should().dependOnClassesThat().resideInAPackage("org.modelpar.cli")
            .because("commands adapt the library, not the other way round");

    @ArchTest
    static final ArchRule commandsHoldNoDomainLogic = noClasses()
            .that().resideInAPackage("org.modelpar.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("org.modelpar.solver.timefold..", "org.modelpar.solver.partition..",
                    "org.modelpar.executor.kernel..", "org.modelpar.executor.model..")
            .orShould().dependOnClassesThat().belongToAnyOf(Lowering.class, Trainer.class, Calibration.class)
            .because("commands parse options, make one call to the workflow or a module facade, and print");

    private static ArchRule internalTo(List<String> module) {
        String owner = module.get(0);
        return noClasses().that().resideOutsideOfPackage(owner)
                .should().dependOnClassesThat().resideInAnyPackage(module.subList(1, module.size()).toArray(String[]::new))
                .because(owner + " keeps these packages to itself");
    }
}
