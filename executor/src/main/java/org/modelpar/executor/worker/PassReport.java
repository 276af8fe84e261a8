package org.modelpar.executor.worker;

import java.io.IOException;
import org.modelpar.executor.profile.CalibrationPass;

/**
 * A calibration pass a worker timed on its device's thread between two steps, when the coordinator asked for one.
 *
 * @param rank the worker's rank
 * @param step the step after which it was timed
 * @param pass what it timed
 */
record PassReport(int rank, int step, CalibrationPass pass) {
    private static final String WHAT = "calibration pass";

    byte[] encode() {
        return ReportCodec.encode(WHAT, out -> {
            out.writeInt(rank);
            out.writeInt(step);
            pass.write(out);
        });
    }

    static PassReport decode(byte[] bytes) {
        return ReportCodec.decode(bytes, WHAT, in -> {
            PassReport report = new PassReport(in.readInt(), in.readInt(), CalibrationPass.read(in, bytes.length));
            if (in.available() > 0) {
                throw new IOException(in.available() + " bytes past its end");
            }
            return report;
        });
    }
}
