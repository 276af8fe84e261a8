package org.modelpar.profiles.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.modelpar.profiles.DeviceProfile;
import org.modelpar.profiles.EfficiencyCurve;
import org.modelpar.profiles.KernelLaunches;
import org.modelpar.profiles.ProfileException;
import org.modelpar.profiles.ProfileLimits;

/**
 * Reads and writes {@code modelpar-device/1} (docs/profiles.md#file-formats): {@code name}, {@code peakFlopsPerSecond}
 * (dtype -> FLOP/s), {@code memoryBytes}, {@code memoryBandwidthBytesPerSecond}, {@code matmulEfficiency} and
 * {@code memoryEfficiency} ({@code [[size, efficiency], ...]}), {@code kernelLaunchSeconds} (optional, 0 when
 * absent), {@code hostCallSeconds} (optional, {@code kernelLaunchSeconds} when absent, written only where it differs),
 * {@code hostCopyBytesPerSecond} (optional, positive; absent where not measured),
 * {@code optimizerSecondsPerParameter} (optional: optimizer -> measured seconds per parameter of one
 * step), {@code source}. Unknown fields are refused.
 */
public final class DeviceJson {
    /** The value of the {@code format} field. */
    public static final String FORMAT = "modelpar-device/1";
    private static final Set<String> FIELDS = Set.of("format", "name", "peakFlopsPerSecond", "memoryBytes",
            "memoryBandwidthBytesPerSecond", "matmulEfficiency", "memoryEfficiency", "kernelLaunchSeconds",
            "hostCallSeconds", "hostCopyBytesPerSecond", "kernelLaunches", "optimizerSecondsPerParameter", "source");

    private DeviceJson() {
    }

    /** Reads a device file with the default limits. */
    public static DeviceProfile read(Path file) {
        return read(file, ProfileLimits.DEFAULT);
    }

    public static DeviceProfile read(Path file, ProfileLimits limits) {
        return parse(JsonText.readFile(file, limits), file.toString(), limits);
    }

    /** Parses device JSON text; {@code source} names it in error messages. */
    public static DeviceProfile parse(String json, String source) {
        return parse(json, source, ProfileLimits.DEFAULT);
    }

    public static DeviceProfile parse(String json, String source, ProfileLimits limits) {
        Json root = Json.root(JsonText.parse(json, source, limits), source).requireObject();
        String format = root.field("format").string();
        if (!format.equals(FORMAT)) {
            throw root.field("format").error("expected \"" + FORMAT + "\", got \"" + format + "\"");
        }
        return fromJson(root, Optional.empty());
    }

    /**
     * Builds a device from a JSON object; {@code defaultName} (a {@code deviceTypes} key) may stand in for a
     * missing {@code name}, and a present one must equal it.
     */
    static DeviceProfile fromJson(Json o, Optional<String> defaultName) {
        o.allowOnly(FIELDS);
        Json format = o.field("format");
        if (format.present() && !format.string().equals(FORMAT)) {
            throw format.error("expected \"" + FORMAT + "\", got " + Json.show(format.node()));
        }
        String name;
        if (o.field("name").present() || defaultName.isEmpty()) {
            name = o.field("name").nonBlankString();
            if (defaultName.isPresent() && !name.equals(defaultName.get())) {
                throw o.field("name").error("must equal its deviceTypes key \"" + defaultName.get() + "\", got \""
                        + name + "\"");
            }
        } else {
            name = defaultName.get();
        }
        Map<String, Double> peak = new LinkedHashMap<>();
        List<Map.Entry<String, Json>> dtypes = o.field("peakFlopsPerSecond").members();
        if (dtypes.isEmpty()) {
            throw o.field("peakFlopsPerSecond").error("needs at least one dtype, e.g. {\"fp32\": 1.95e13}");
        }
        for (Map.Entry<String, Json> e : dtypes) {
            if (e.getKey().isBlank()) {
                throw e.getValue().error("dtype name must be non-empty");
            }
            peak.put(e.getKey(), e.getValue().positive());
        }
        long memoryBytes = o.field("memoryBytes").positiveLong();
        double bandwidth = o.field("memoryBandwidthBytesPerSecond").positive();
        EfficiencyCurve matmul = curve(o.field("matmulEfficiency"));
        EfficiencyCurve memory = curve(o.field("memoryEfficiency"));
        Json launch = o.field("kernelLaunchSeconds");
        double launchSeconds = launch.present() ? launch.nonNegative() : 0;
        Json hostCall = o.field("hostCallSeconds");
        double hostCallSeconds = hostCall.present() ? hostCall.nonNegative() : launchSeconds;
        Json hostCopy = o.field("hostCopyBytesPerSecond");
        double hostCopyBytesPerSecond = hostCopy.present() ? hostCopy.positive() : 0;
        Map<String, Double> optimizers = new TreeMap<>();
        Json measured = o.field("optimizerSecondsPerParameter");
        if (measured.present()) {
            for (Map.Entry<String, Json> e : measured.members()) {
                if (e.getKey().isBlank()) {
                    throw e.getValue().error("optimizer name must be non-empty");
                }
                optimizers.put(e.getKey(), e.getValue().positive());
            }
        }
        String source = o.field("source").optionalString().orElse("");
        KernelLaunches launches = KernelLaunchJson.read(o.field("kernelLaunches"));
        try {
            return new DeviceProfile(name, peak, memoryBytes, bandwidth, matmul, memory, launchSeconds, hostCallSeconds,
                    hostCopyBytesPerSecond, optimizers, launches, source);
        } catch (ProfileException e) {
            throw o.error(e.getMessage());
        }
    }

    private static EfficiencyCurve curve(Json field) {
        List<EfficiencyCurve.Point> points = new ArrayList<>();
        for (Json p : field.nonEmptyArray()) {
            List<Json> pair = p.array();
            if (pair.size() != 2) {
                throw p.error("expected a pair [size, efficiency], got " + Json.show(p.node()));
            }
            double size = pair.get(0).positive();
            double efficiency = pair.get(1).positive();
            if (efficiency > 1) {
                throw pair.get(1).error("efficiency must be in (0, 1], got " + Json.show(pair.get(1).node()));
            }
            points.add(new EfficiencyCurve.Point(size, efficiency));
        }
        try {
            return new EfficiencyCurve(points);
        } catch (ProfileException e) {
            throw field.error(e.getMessage());
        }
    }

    /** Writes a device file: pretty-printed, fields in the documented order, ending with a newline. */
    public static String write(DeviceProfile device) {
        return pretty(toJson(device, true));
    }

    static ObjectNode toJson(DeviceProfile d, boolean withFormat) {
        ObjectNode o = JsonText.MAPPER.createObjectNode();
        if (withFormat) {
            o.put("format", FORMAT);
        }
        o.put("name", d.name());
        ObjectNode peak = o.putObject("peakFlopsPerSecond");
        d.peakFlopsPerSecond().forEach(peak::put);
        o.put("memoryBytes", d.memoryBytes());
        o.put("memoryBandwidthBytesPerSecond", d.memoryBandwidthBytesPerSecond());
        curveJson(o.putArray("matmulEfficiency"), d.matmulEfficiency());
        curveJson(o.putArray("memoryEfficiency"), d.memoryEfficiency());
        o.put("kernelLaunchSeconds", d.kernelLaunchSeconds());
        if (d.hostCallSeconds() != d.kernelLaunchSeconds()) {
            o.put("hostCallSeconds", d.hostCallSeconds());
        }
        if (d.hostCopyBytesPerSecond() > 0) {
            o.put("hostCopyBytesPerSecond", d.hostCopyBytesPerSecond());
        }
        if (!d.optimizerSecondsPerParameter().isEmpty()) {
            ObjectNode optimizers = o.putObject("optimizerSecondsPerParameter");
            d.optimizerSecondsPerParameter().forEach(optimizers::put);
        }
        KernelLaunchJson.write(o, d.kernelLaunches());
        o.put("source", d.source());
        return o;
    }

    private static void curveJson(ArrayNode array, EfficiencyCurve curve) {
        curve.points().forEach(p -> array.addArray().add(p.size()).add(p.efficiency()));
    }

    static String pretty(ObjectNode node) {
        try {
            return JsonText.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }
}
