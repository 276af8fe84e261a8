package org.modelpar.solver.partition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only reader of PipeDream's {@code graph.txt} (until the graph module's reader is merged) and of
 * {@code pipedream-optimizer-results.tsv}. Input nodes are dropped, as PipeDream's optimizer does; the rest
 * is laid out as a chain in a topological order (Kahn, ties by file order).
 */
final class PipeDreamData {
    private static final Pattern NUMBER = Pattern.compile("(forward_compute_time|backward_compute_time|parameter_size)=([0-9.]+)");
    private static final Pattern ACTIVATION = Pattern.compile("activation_size=(\\[[^\\]]*\\]|[0-9.]+)");

    record Row(String model, String tag, int machines, double bandwidth, String flags, double pipelineSeconds,
               String replicas, List<Double> stageCompute) {
        boolean straight() {
            return flags.contains("--straight_pipeline");
        }

        boolean countsActivations() {
            return flags.contains("--activation_compression_ratio");
        }
    }

    /** A row over two network levels: workers per machine and machines, with each level's bandwidth. */
    record TwoLevelRow(String model, String tag, int workersPerMachine, int machines, double machineBandwidth,
                       double networkBandwidth, String flags, double pipelineSeconds) {
        @Override
        public String toString() {
            return model + " " + tag;
        }
    }

    private PipeDreamData() {
    }

    /** The rows with two network levels ({@code num_machines} "4,2": 2 machines of 4 workers). */
    static List<TwoLevelRow> twoLevelRows() throws IOException {
        List<TwoLevelRow> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(dataDir().resolve("pipedream-optimizer-results.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            String[] machines = f[2].split(",");
            String[] bandwidths = f[3].split(",");
            if (machines.length == 2) {
                rows.add(new TwoLevelRow(f[0], f[1], Integer.parseInt(machines[0]), Integer.parseInt(machines[1]),
                        Double.parseDouble(bandwidths[0]), Double.parseDouble(bandwidths[1]), f[4], Double.parseDouble(f[5])));
            }
        }
        return rows;
    }

    static Path dataDir() {
        String root = System.getProperty("modelpar.root");
        Path start = root != null ? Path.of(root) : Path.of(System.getProperty("user.dir"));
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("../shared/data/pipedream").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            if (Files.isDirectory(p.resolve("shared/data/pipedream"))) {
                return p.resolve("shared/data/pipedream");
            }
        }
        throw new IllegalStateException("shared/data/pipedream not found from " + start);
    }

    static PipeDreamPartitioner.Profile chain(String model) throws IOException {
        Map<String, double[]> nodes = new LinkedHashMap<>();
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, Integer> indegree = new LinkedHashMap<>();
        List<String> inputs = new ArrayList<>();
        for (String line : Files.readAllLines(dataDir().resolve(model + ".graph.txt"))) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("\t")) {
                String[] ends = line.trim().split(" -- ");
                out.get(ends[0]).add(ends[1]);
                indegree.merge(ends[1], 1, Integer::sum);
                continue;
            }
            String id = line.substring(0, line.indexOf(" -- "));
            String desc = line.substring(line.indexOf(" -- ") + 4);
            double[] v = new double[4];
            Matcher m = NUMBER.matcher(line.substring(line.lastIndexOf(" -- ")));
            while (m.find()) {
                double x = Double.parseDouble(m.group(2));
                switch (m.group(1)) {
                    case "forward_compute_time" -> v[0] = x / 1000;
                    case "backward_compute_time" -> v[1] = x / 1000;
                    default -> v[3] = x;
                }
            }
            Matcher a = ACTIVATION.matcher(line.substring(line.lastIndexOf(" -- ")));
            if (a.find()) {
                for (String part : a.group(1).replace("[", "").replace("]", "").split(";")) {
                    v[2] += Double.parseDouble(part.trim());
                }
            }
            if (desc.startsWith("Input")) {
                inputs.add(id);
            }
            nodes.put(id, v);
            out.put(id, new ArrayList<>());
            indegree.putIfAbsent(id, 0);
        }
        for (String input : inputs) {
            for (String next : out.get(input)) {
                indegree.merge(next, -1, Integer::sum);
            }
            nodes.remove(input);
            indegree.remove(input);
        }
        Deque<String> ready = new ArrayDeque<>();
        indegree.forEach((id, d) -> {
            if (d == 0) {
                ready.add(id);
            }
        });
        List<double[]> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String id = ready.poll();
            order.add(nodes.get(id));
            for (String next : out.get(id)) {
                if (indegree.merge(next, -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        int n = order.size();
        double[] compute = new double[n];
        double[] params = new double[n];
        double[] acts = new double[n];
        for (int i = 0; i < n; i++) {
            compute[i] = order.get(i)[0] + order.get(i)[1];
            acts[i] = order.get(i)[2];
            params[i] = order.get(i)[3];
        }
        return new PipeDreamPartitioner.Profile(compute, params, acts);
    }

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(dataDir().resolve("pipedream-optimizer-results.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            if (f[2].contains(",")) {
                continue; // hierarchical (two network levels): not a single-level row
            }
            List<Double> stageCompute = new ArrayList<>();
            for (String s : f[8].split(",")) {
                stageCompute.add(Double.parseDouble(s));
            }
            rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), f[4],
                    Double.parseDouble(f[5]), f[7], stageCompute));
        }
        return rows;
    }
}
