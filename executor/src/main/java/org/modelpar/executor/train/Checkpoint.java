package org.modelpar.executor.train;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.modelpar.graph.io.AtomicFiles;
import org.modelpar.executor.ExecutionException;
import org.modelpar.executor.transport.TensorCodec;
import org.modelpar.simulator.plan.PlacementPlan;
import org.modelpar.simulator.plan.PlanJson;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint: steps done, parameters and optimizer state, and the hash of the plan that wrote it
 * (a resume with another plan is refused). File {@code checkpoint.bin}: magic {@code MPCKPT2\n}, the
 * model name, the plan hash, the step count, then each tensor (name, dtype, shape, values
 * as big-endian doubles, exact for fp32 and fp64), and a SHA-256 of everything before it. Written with
 * {@link AtomicFiles}, so a crash leaves either
 * the old or the new checkpoint; a truncated or altered file fails its checksum and is refused.
 *
 * @param model          the graph name it belongs to
 * @param planHash       {@link #planHash(PlacementPlan)} of the plan that trained it
 * @param stepsDone      steps completed
 * @param parameters     parameter values by name
 * @param optimizerState optimizer state by {@code param/slot}
 */
public record Checkpoint(String model, String planHash, int stepsDone, Map<String, INDArray> parameters, Map<String, INDArray> optimizerState) {
    public static final String FILE = "checkpoint.bin";
    /** The file's first bytes (package-visible for the fuzz test, which writes bodies after them). */
    static final byte[] MAGIC = "MPCKPT2\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;

    public Checkpoint {
        parameters = new TreeMap<>(parameters);
        optimizerState = new TreeMap<>(optimizerState);
    }

    /** Writes atomically into {@code dir/checkpoint.bin}. */
    public void write(Path dir) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.write(MAGIC);
                out.writeUTF(model);
                out.writeUTF(planHash);
                out.writeInt(stepsDone);
                writeTensors(out, parameters);
                writeTensors(out, optimizerState);
            }
            byte[] body = bytes.toByteArray();
            AtomicFiles.write(dir.resolve(FILE), out -> {
                out.write(body);
                out.write(sha256(body, body.length));
            });
        } catch (IOException e) {
            throw new CheckpointException(dir.resolve(FILE) + ": cannot write checkpoint: " + AtomicFiles.reason(e), e);
        }
    }

    /** Reads {@code dir/checkpoint.bin}, refusing a missing, truncated or altered file with one line. */
    public static Checkpoint read(Path dir) {
        Path file = dir.resolve(FILE);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no checkpoint here");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read checkpoint: " + e.getMessage(), e);
        }
        if (all.length < MAGIC.length + DIGEST_BYTES || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new CheckpointException(file + ": not a modelpar checkpoint or truncated (" + all.length + " bytes)");
        }
        int bodyLength = all.length - DIGEST_BYTES;
        byte[] stored = Arrays.copyOfRange(all, bodyLength, all.length);
        if (!MessageDigest.isEqual(stored, sha256(all, bodyLength))) {
            throw new CheckpointException(file + ": checksum mismatch, the checkpoint is truncated or altered ("
                    + all.length + " bytes); refusing to resume from it");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, bodyLength))) {
            in.skipNBytes(MAGIC.length);
            String model = in.readUTF();
            String plan = in.readUTF();
            int steps = in.readInt();
            return new Checkpoint(model, plan, steps, readTensors(in), readTensors(in));
        } catch (IOException | RuntimeException e) {
            // names the file gave may hold line breaks
            throw new CheckpointException(PlanJson.oneLine(file + ": malformed checkpoint: " + ExecutionException.reason(e)), e);
        }
    }

    /**
     * Reads the checkpoint in {@code dir} for a resume of {@code model} with {@code plan}: refuses one of
     * another model, or written by another plan (its parameters would be placed and partitioned otherwise).
     */
    public static Checkpoint readFor(Path dir, String model, PlacementPlan plan) {
        Checkpoint c = read(dir);
        Path file = dir.resolve(FILE);
        if (!c.model().equals(model)) {
            throw new CheckpointException(file + ": checkpoint is of model '" + c.model() + "', not '" + model + "'");
        }
        String hash = planHash(plan);
        if (!c.planHash().equals(hash)) {
            throw new CheckpointException(file + ": checkpoint was written by plan " + c.planHash() + ", this run's plan is "
                    + hash + "; resume with the plan that wrote it or start without --resume");
        }
        return c;
    }

    /** {@code "sha256:<hex>"} of the plan's {@code modelpar-plan/1} text (the plan alone, without prediction). */
    public static String planHash(PlacementPlan plan) {
        return PlanJson.contentHash(plan);
    }

    private static void writeTensors(DataOutputStream out, Map<String, INDArray> tensors) throws IOException {
        out.writeInt(tensors.size());
        for (Map.Entry<String, INDArray> e : new TreeMap<>(tensors).entrySet()) {
            INDArray t = e.getValue();
            out.writeUTF(e.getKey());
            out.writeUTF(t.dataType().name());
            TensorCodec.writeShape(out, t.shape());
            for (double v : t.dup('c').castTo(DataType.DOUBLE).data().asDouble()) {
                out.writeDouble(v);
            }
        }
    }

    private static Map<String, INDArray> readTensors(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, INDArray> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            DataType type = DataType.valueOf(in.readUTF());
            if (!type.isFPType()) {
                throw new IOException("tensor " + name + " of type " + type + ": a checkpoint holds floating-point tensors");
            }
            long[] shape = TensorCodec.readShape(in);
            long length = TensorCodec.length(shape);
            if (length > in.available() / Double.BYTES) {
                throw new IOException("tensor " + name + " of shape " + Arrays.toString(shape) + " needs " + length + " values, "
                        + in.available() / Double.BYTES + " left");
            }
            double[] values = new double[Math.toIntExact(length)];
            for (int j = 0; j < values.length; j++) {
                values[j] = in.readDouble();
            }
            out.put(name, Nd4j.create(values, shape, DataType.DOUBLE).castTo(type));
        }
        return out;
    }

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }
}
