package org.modelpar.executor.worker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.modelpar.executor.ExecutionException;
import org.modelpar.simulator.plan.PlanJson;

/**
 * The bytes of what a worker tells the coordinator ({@link StepReport}, {@link PassReport}): a {@link DataOutputStream}
 * body, and a reader whose every failure (bytes that end early, a count they cannot hold, a value a record refuses) is
 * one line naming what was read.
 */
final class ReportCodec {
    private ReportCodec() {
    }

    /** Writes a body. */
    @FunctionalInterface
    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a body. */
    @FunctionalInterface
    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** The bytes {@code writer} writes of a {@code what} (e.g. "step report"). */
    static byte[] encode(String what, Writer writer) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            writer.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * What {@code reader} reads of {@code bytes} from another process.
     *
     * @throws IllegalStateException {@code malformed <what>: <why>}, on one line
     */
    static <T> T decode(byte[] bytes, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return reader.read(in);
        } catch (IOException | RuntimeException e) {
            // names the bytes gave (devices, ops) may hold line breaks
            throw new IllegalStateException(PlanJson.oneLine("malformed " + what + ": " + ExecutionException.reason(e)), e);
        }
    }
}
