package org.modelpar.workflow.export;

import java.util.List;

/**
 * One rendered export.
 *
 * @param format the framework
 * @param text   the file content (JSON for DeepSpeed and PyTorch, a bash array for Megatron-LM)
 * @param notes  what the user must know or do by hand; also written into {@code text}
 */
public record Export(ExportFormat format, String text, List<String> notes) {
    public Export {
        notes = List.copyOf(notes);
    }
}
