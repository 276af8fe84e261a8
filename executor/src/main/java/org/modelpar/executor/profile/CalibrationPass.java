package org.modelpar.executor.profile;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One timed pass of a {@link Calibration}: what its kernels, optimizer steps and host copies took once. A pass travels
 * from the worker process that timed it (on its device's compute thread, where that device's kernels run) to the
 * calibration that prices the run ({@link #write}, {@link #read}).
 *
 * @param opSeconds        per op id, its kernel calls' seconds {forward, backward, weight gradient} (0 for a part it has
 *                         none of; a split backward's input-gradient part is the second)
 * @param forwardSeconds   the whole forward pass
 * @param backwardSeconds  the whole backward pass
 * @param optimizerSeconds every stage's optimizer step, on its whole tensors and on their halves, in turn
 * @param hostCallSeconds  one host call on a tiny tensor
 * @param hostCopySeconds  a round of copies of the gradients into one flat vector and back
 */
public record CalibrationPass(Map<String, double[]> opSeconds, double forwardSeconds, double backwardSeconds,
                              double[] optimizerSeconds, double hostCallSeconds, double hostCopySeconds) {
    /** Parts of an op's timing: forward, backward, weight gradient. */
    static final int PARTS = 3;

    public CalibrationPass {
        Map<String, double[]> copy = new LinkedHashMap<>();
        opSeconds.forEach((op, s) -> {
            if (s.length != PARTS) {
                throw new IllegalArgumentException("op " + op + " has " + s.length + " timed parts, not " + PARTS);
            }
            copy.put(op, s.clone());
        });
        opSeconds = Collections.unmodifiableMap(copy);
        optimizerSeconds = optimizerSeconds.clone();
    }

    /** Writes this pass as {@link #read} reads it. */
    public void write(DataOutput out) throws IOException {
        out.writeInt(opSeconds.size());
        for (Map.Entry<String, double[]> e : opSeconds.entrySet()) {
            out.writeUTF(e.getKey());
            for (double s : e.getValue()) {
                out.writeDouble(s);
            }
        }
        out.writeDouble(forwardSeconds);
        out.writeDouble(backwardSeconds);
        out.writeInt(optimizerSeconds.length);
        for (double s : optimizerSeconds) {
            out.writeDouble(s);
        }
        out.writeDouble(hostCallSeconds);
        out.writeDouble(hostCopySeconds);
    }

    /**
     * Reads a pass that another process wrote, of at most {@code limitBytes} bytes: a count past what the bytes can hold
     * is refused before anything is allocated for it.
     *
     * @throws IOException when the bytes end early or hold a count they cannot
     */
    public static CalibrationPass read(DataInput in, int limitBytes) throws IOException {
        int ops = count(in.readInt(), limitBytes / (2 + PARTS * Double.BYTES), "ops");
        Map<String, double[]> opSeconds = new LinkedHashMap<>();
        for (int i = 0; i < ops; i++) {
            String op = in.readUTF();
            double[] s = new double[PARTS];
            for (int p = 0; p < PARTS; p++) {
                s[p] = in.readDouble();
            }
            opSeconds.put(op, s);
        }
        double forward = in.readDouble();
        double backward = in.readDouble();
        double[] optimizer = new double[count(in.readInt(), limitBytes / Double.BYTES, "optimizer steps")];
        for (int i = 0; i < optimizer.length; i++) {
            optimizer[i] = in.readDouble();
        }
        return new CalibrationPass(opSeconds, forward, backward, optimizer, in.readDouble(), in.readDouble());
    }

    private static int count(int n, int most, String what) throws IOException {
        if (n < 0 || n > most) {
            throw new IOException(n + " " + what + " in a calibration pass of at most " + most);
        }
        return n;
    }
}
