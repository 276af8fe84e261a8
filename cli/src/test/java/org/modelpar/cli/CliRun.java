package org.modelpar.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the command line in-process: exit code, stdout and stderr.
 *
 * @param exitCode exit code
 * @param out      stdout
 * @param err      stderr
 */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }
}
