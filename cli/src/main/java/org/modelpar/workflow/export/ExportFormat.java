package org.modelpar.cli.export;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.modelpar.cli.CliInputException;

/** The frameworks a plan can be exported to. */
public enum ExportFormat {
    DEEPSPEED("deepspeed"),
    TORCH("torch"),
    MEGATRON("megatron");

    private final String cliName;

    ExportFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name; an unknown one is a {@link CliInputException} listing the choices. */
    public static ExportFormat parse(String name) {
        return Arrays.stream(values()).filter(f -> f.cliName.equals(name)).findFirst()
                .orElseThrow(() -> new CliInputException("--format must be one of "
                        + Arrays.stream(values()).map(ExportFormat::cliName).collect(Collectors.joining(", "))
                        + ", got '" + name + "'"));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
