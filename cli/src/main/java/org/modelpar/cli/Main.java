package org.modelpar.cli;

import java.io.PrintWriter;
import org.modelpar.executor.train.CheckpointException;
import org.modelpar.executor.train.DivergedException;
import org.modelpar.executor.worker.LaunchException;
import org.modelpar.graph.GraphException;
import org.modelpar.profiles.ProfileException;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.solver.InfeasibleException;
import org.modelpar.workflow.WorkflowException;
import org.modelpar.workflow.export.ExportException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code modelpar} command. Exit codes: 0 ok; 2 bad input or usage (one line naming the file,
 * line or field and the value), or training that diverged; 3 infeasible; 1 internal error.
 */
@Command(name = "modelpar", mixinStandardHelpOptions = true, version = "modelpar 0.1.0",
        description = "Plans, simulates and executes model-parallel training.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_INFEASIBLE = 3;

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cmd = new CommandLine(main);
        Commands.register(cmd);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("modelpar: " + ex.getMessage());
            return EXIT_BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            int code = ErrorCodes.exitCode(ex);
            err.println("modelpar: " + ErrorCodes.message(ex));
            // a device that failed is reported in one line naming it; other exit-1 errors are bugs: show where
            if (main.debug || code == 1 && !(ex instanceof org.modelpar.executor.ExecutionException)) {
                ex.printStackTrace(err);
            }
            return code;
        });
        return cmd.execute(args);
    }

    /**
     * Maps exceptions to exit codes and one-line messages: the library's own exceptions are bad input (exit 2),
     * {@link InfeasibleException} is exit 3, anything else (an {@link IllegalArgumentException} from deep inside
     * included) is an internal error (exit 1), so a bug is never reported as the user's mistake.
     */
    static final class ErrorCodes {
        private ErrorCodes() {
        }

        static int exitCode(Throwable ex) {
            if (ex instanceof GraphException || ex instanceof ProfileException || ex instanceof PlanException
                    || ex instanceof WorkflowException || ex instanceof ExportException || ex instanceof CheckpointException
                    || ex instanceof DivergedException || ex instanceof LaunchException || ex instanceof CliInputException) {
                return EXIT_BAD_INPUT;
            }
            if (ex instanceof InfeasibleException) {
                return EXIT_INFEASIBLE;
            }
            return 1;
        }

        static String message(Throwable ex) {
            String m = ex.getMessage();
            return m == null ? ex.getClass().getSimpleName() : m;
        }
    }
}
