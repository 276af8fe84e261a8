package org.modelpar.executor.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.modelpar.graph.ComputationGraph;
import org.modelpar.graph.GraphException;
import org.modelpar.graph.OpNode;
import org.modelpar.graph.TensorEdge;
import org.modelpar.simulator.plan.PlanException;

/** Creates the kernel of an op from its kind and attributes (docs/op-kinds.md) and wires its inputs. */
public final class Kernels {
    private Kernels() {
    }

    /**
     * The kernel of an op.
     *
     * @param op              the op
     * @param globalBatchSize samples per step, which scales the loss to the step's mean
     * @throws GraphException for a kind the executor cannot run or a missing attribute, naming the op
     */
    public static Kernel create(OpNode op, int globalBatchSize) {
        return create(op, globalBatchSize, TensorParallel.NONE);
    }

    /**
     * The kernel of an op on one rank of a tensor-parallel group.
     *
     * @throws org.modelpar.simulator.plan.PlanException when the degree does not divide what it splits
     */
    public static Kernel create(OpNode op, int globalBatchSize, TensorParallel tp) {
        return create(op, globalBatchSize, tp, ExpertGroup.SOLO);
    }

    /**
     * The kernel of an op on one rank of a tensor-parallel group and one member of an expert-parallel group (a routed
     * expert it does not hold has no parameters there and exchanges its tokens with the holder).
     */
    public static Kernel create(OpNode op, int globalBatchSize, TensorParallel tp, ExpertGroup experts) {
        return switch (op.kind()) {
            case "linear" -> Linear.of(op, attr(op, "in"), attr(op, "out"), tp);
            case "relu" -> new Relu();
            case "gelu" -> new Gelu();
            case "layernorm" -> new LayerNorm(op.id(), attr(op, "hidden"));
            case "attention-scores" -> new AttentionScores(heads(op, tp), attr(op, "seq"), attr(op, "headDim"));
            case "softmax" -> new CausalSoftmax(heads(op, tp), attr(op, "seq"));
            case "attention-context" -> new AttentionContext(heads(op, tp), attr(op, "seq"), attr(op, "headDim"));
            case "embedding" -> new Embedding(op.id(), attr(op, "vocab"), attr(op, "hidden"), learnedPositions(op),
                    tp.share(op, "vocab", attr(op, "vocab")), tp);
            case "logits" -> {
                tp.share(op, "vocab", attr(op, "vocab"));
                yield new Logits(tiedTo(op), attr(op, "vocab"), attr(op, "hidden"), tp);
            }
            case "residual-add" -> new ResidualAdd();
            case "cross-entropy" -> crossEntropy(op, globalBatchSize, tp.vocabularyGroup(op), tp);
            case "mse-loss" -> new MseLoss(1.0 / ((double) globalBatchSize * attr(op, "width")));
            case "moe-router" -> new MoeRouter(op.id(), attr(op, "hidden"), whole(op, tp, "experts"));
            case "moe-expert" -> new MoeExpert(op.id(), layerOf(op, experts), expertIndex(op), Math.toIntExact(attr(op, "experts")),
                    topK(op), Math.toIntExact(whole(op, tp, "tokens")), attr(op, "seq"), attr(op, "in"), geluIntermediate(op), experts);
            case "moe-combine" -> new MoeCombine(Math.toIntExact(attr(op, "experts")), topK(op), whole(op, tp, "seq"));
            default -> throw new GraphException("op '" + op.id() + "': kind '" + op.kind()
                    + "' cannot be executed (the executor runs the op kinds of mlp, gpt and moe-tiny, docs/op-kinds.md)");
        };
    }

    /** A cross-entropy over the whole vocabulary, or over its rank's part of a vocabulary-parallel {@code group}. */
    private static CrossEntropy crossEntropy(OpNode op, int globalBatchSize, TensorGroup group, TensorParallel tp) {
        long vocab = attr(op, "vocab");
        long local = group.size() == 1 ? vocab : tp.share(op, "vocab", vocab);
        return new CrossEntropy(vocab, 1.0 / ((double) globalBatchSize * attr(op, "seq")), local, group);
    }

    /** The layer whose experts exchange together; with expert parallelism every routed expert must name one. */
    private static String layerOf(OpNode op, ExpertGroup experts) {
        if (op.layer().isEmpty() && experts.size() > 1) {
            throw new GraphException("op '" + op.id() + "': a moe-expert needs a layer for expert parallelism (its layer's experts"
                    + " exchange their tokens together), has none");
        }
        return op.layer();
    }

    /** Whether the op is a routed expert. */
    static boolean isExpert(OpNode op) {
        return op.kind().equals("moe-expert");
    }

    /** Whether the op is a loss (its output is the step's loss share, the start of backward). */
    public static boolean isLoss(OpNode op) {
        return op.kind().equals("cross-entropy") || op.kind().equals("mse-loss");
    }

    /** The sources of an op's inputs, in the order its kernel expects them. */
    public static List<Source> sources(ComputationGraph graph, OpNode op) {
        List<String> producers = graph.incoming(op.id()).stream().map(TensorEdge::from).distinct().toList();
        List<Source> out = new ArrayList<>();
        switch (op.kind()) {
            case "embedding" -> out.add(Source.INPUT);
            case "attention-context" -> {
                requireInputs(op, producers, 2);
                boolean firstIsProbs = graph.op(producers.get(0)).orElseThrow().kind().equals("softmax");
                out.add(Source.op(producers.get(firstIsProbs ? 0 : 1)));
                out.add(Source.op(producers.get(firstIsProbs ? 1 : 0)));
            }
            case "residual-add" -> {
                requireInputs(op, producers, 2);
                producers.forEach(p -> out.add(Source.op(p)));
            }
            case "moe-expert" -> {
                requireInputs(op, producers, 2);
                String router = routerOf(graph, op, producers);
                producers.stream().filter(p -> !p.equals(router)).forEach(p -> out.add(Source.op(p)));
                out.add(Source.op(router));
            }
            case "moe-combine" -> {
                String router = routerOf(graph, op, producers);
                List<OpNode> inputs = producers.stream().filter(p -> !p.equals(router)).map(p -> graph.op(p).orElseThrow()).toList();
                inputs.stream().filter(Kernels::isExpert).sorted(Comparator.comparingInt(Kernels::expertIndex))
                        .forEach(e -> out.add(Source.op(e.id())));
                for (OpNode shared : inputs.stream().filter(e -> !isExpert(e)).toList()) {
                    long width = shared.longAttribute("out").orElse(-1L);
                    if (!shared.kind().equals("linear") || width != attr(op, "hidden")) {
                        throw new GraphException("op '" + op.id() + "': input '" + shared.id() + "' (" + shared.kind() + ", width "
                                + width + ") cannot be executed: the executor adds shared experts' outputs of the hidden width "
                                + attr(op, "hidden") + ", no shared-expert gate");
                    }
                    out.add(Source.op(shared.id()));
                }
                out.add(Source.op(router));
            }
            default -> {
                if (producers.isEmpty() && op.kind().equals("linear")) {
                    out.add(Source.INPUT);
                } else {
                    requireInputs(op, producers, 1);
                    out.add(Source.op(producers.get(0)));
                }
            }
        }
        if (isLoss(op)) {
            out.add(Source.TARGETS);
        }
        return List.copyOf(out);
    }

    /** The producer of kind {@code moe-router} among an op's inputs. */
    private static String routerOf(ComputationGraph graph, OpNode op, List<String> producers) {
        return producers.stream().filter(p -> graph.op(p).orElseThrow().kind().equals("moe-router")).findFirst()
                .orElseThrow(() -> new GraphException("op '" + op.id() + "' of kind " + op.kind() + " needs a moe-router input, has "
                        + producers));
    }

    static int expertIndex(OpNode op) {
        long j = op.longAttribute("expert").orElse(-1L);
        long experts = attr(op, "experts");
        if (j < 0 || j >= experts) {
            throw new GraphException("op '" + op.id() + "': attribute expert must be in [0, " + experts + "), got "
                    + op.attributes().get("expert"));
        }
        return (int) j;
    }

    private static int topK(OpNode op) {
        return Math.toIntExact(attr(op, "topK"));
    }

    /** An attribute of a mixture-of-experts op, which the executor runs whole on every rank (no tensor parallelism). */
    private static long whole(OpNode op, TensorParallel tp, String key) {
        if (tp.group().size() > 1) {
            throw new PlanException("the executor runs mixture-of-experts ops with tensor degree 1;"
                    + " op '" + op.id() + "' (" + op.kind() + ") under tensor degree " + tp.group().size());
        }
        return attr(op, key);
    }

    /** The intermediate width of a routed expert the executor runs: a GeLU MLP. */
    private static long geluIntermediate(OpNode op) {
        String activation = op.attributes().getOrDefault("activation", "");
        if (!activation.equals("gelu")) {
            throw new GraphException("op '" + op.id() + "': a moe-expert with activation=" + activation
                    + " cannot be executed (the executor runs GeLU experts)");
        }
        return attr(op, "intermediate");
    }

    /** The heads a rank runs: all of them, or its share under tensor parallelism (whole heads per rank). */
    private static long heads(OpNode op, TensorParallel tp) {
        return tp.share(op, "heads", attr(op, "heads"));
    }

    private static void requireInputs(OpNode op, List<String> producers, int expected) {
        if (producers.size() != expected) {
            throw new GraphException("op '" + op.id() + "' of kind " + op.kind() + " needs " + expected
                    + " input ops, has " + producers.size() + " " + producers);
        }
    }

    /** The embedding kernel learns one position per token; rotary, ALiBi or relative positions it cannot run. */
    private static long learnedPositions(OpNode op) {
        if (op.attributes().containsKey("positions")) {
            throw new GraphException("op '" + op.id() + "': an embedding with positions=" + op.attributes().get("positions")
                    + " cannot be executed (the executor runs learned positions, one per token)");
        }
        return attr(op, "seq");
    }

    private static String tiedTo(OpNode op) {
        String t = op.attributes().get("tiedTo");
        if (t == null || t.isBlank()) {
            throw new GraphException("op '" + op.id() + "': attribute tiedTo is required for kind logits");
        }
        return t;
    }

    static long attr(OpNode op, String key) {
        long v = op.longAttribute(key).orElseThrow(() -> new GraphException("op '" + op.id()
                + "': attribute " + key + " is required for kind " + op.kind()));
        if (v < 1) {
            throw new GraphException("op '" + op.id() + "': attribute " + key + " must be at least 1, got " + v);
        }
        return v;
    }
}
