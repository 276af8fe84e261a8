package org.modelpar.executor.worker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.profile.CalibrationPass;
import org.modelpar.simulator.plan.PlanJson;

/**
 * A calibration pass a worker timed on its device's thread between two steps, when the coordinator asked for one.
 *
 * @param rank the worker's rank
 * @param step the step after which it was timed
 * @param pass what it timed
 */
record PassReport(int rank, int step, CalibrationPass pass) {
    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(rank);
            out.writeInt(step);
            pass.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a calibration pass: " + e.getMessage(), e);
        }
    }

    static PassReport decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            PassReport report = new PassReport(in.readInt(), in.readInt(), CalibrationPass.read(in, bytes.length));
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes past its end");
            }
            return report;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(PlanJson.oneLine("malformed calibration pass: " + ExecutionException.reason(e)), e);
        }
    }
}
