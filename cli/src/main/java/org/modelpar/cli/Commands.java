package org.modelpar.cli;

import picocli.CommandLine;

/** The subcommands of {@code modelpar}, registered in the order {@code --help} lists them. */
final class Commands {
    private Commands() {
    }

    static void register(CommandLine cmd) {
        cmd.addSubcommand("models", new ModelsCommand());
        cmd.addSubcommand("graph", new GraphCommand());
        cmd.addSubcommand("cluster", new ClusterCommand());
        cmd.addSubcommand("simulate", new SimulateCommand());
        cmd.addSubcommand("plan", new PlanCommand());
        cmd.addSubcommand("profile", new ProfileCommand());
        cmd.addSubcommand("train", new TrainCommand());
        cmd.addSubcommand("worker", new WorkerCommand());
        cmd.addSubcommand("run", new RunCommand());
        cmd.addSubcommand("report", new ReportCommand());
        cmd.addSubcommand("export", new ExportCommand());
    }
}
