package org.modelpar.workflow.export;

import java.util.Arrays;
import java.util.stream.Collectors;

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

    /** Parses a format name; an unknown one is a {@link ExportException} listing the choices. */
    public static ExportFormat parse(String name) {
        return Arrays.stream(values()).filter(f -> f.cliName.equals(name)).findFirst()
                .orElseThrow(() -> new ExportException("export format must be one of "
                        + Arrays.stream(values()).map(ExportFormat::cliName).collect(Collectors.joining(", "))
                        + ", got '" + name + "'"));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
