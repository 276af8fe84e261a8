package org.modelpar.simulator.engine;

import java.util.Arrays;
import org.modelpar.simulator.plan.PlanException;
import org.modelpar.simulator.program.Recv;
import org.modelpar.simulator.program.Send;

/** Pairs every {@link Send} of a compiled program with its {@link Recv} (sets {@code partner} of the send). */
final class SendMatcher {
    private SendMatcher() {
    }

    /**
     * Matches sends to recvs per (sender, receiver, payload, sending stage, receiving stage) channel in program
     * order: the k-th send on a channel goes with the k-th recv on it. The stages are part of the channel because
     * two stage pairs can share a device pair (model chunks of an interleaved schedule) and order their messages
     * differently on the two sides, as a stage that sends to two earlier chunks of one device does.
     */
    static void match(CompiledProgram c) {
        int stages = 1;
        for (int g = 0; g < c.count; g++) {
            if (c.instructions[g] instanceof Send s) {
                stages = Math.max(stages, Math.max(s.stage(), s.toStage()) + 1);
            }
        }
        ChannelIndex channels = new ChannelIndex();
        int[] channelOf = new int[c.count];
        int[] sendCount = new int[16];
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.SEND) {
                Send s = (Send) c.instructions[g];
                int ch = channels.id(key(c, c.device[g], c.peer[g], s.payload().ordinal(), stages, s.stage(), s.toStage()));
                sendCount = grow(sendCount, ch);
                sendCount[ch]++;
                channelOf[g] = ch;
            }
        }
        int n = channels.size();
        int[] first = new int[n + 1];
        for (int ch = 0; ch < n; ch++) {
            first[ch + 1] = first[ch] + sendCount[ch];
        }
        int[] queue = new int[first[n]];
        int[] filled = Arrays.copyOf(first, n);
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.SEND) {
                queue[filled[channelOf[g]]++] = g;
            }
        }
        int[] head = Arrays.copyOf(first, n);
        for (int g = 0; g < c.count; g++) {
            if (c.kind[g] == CompiledProgram.RECV) {
                Recv r = (Recv) c.instructions[g];
                int ch = r.fromStage() < stages && r.stage() < stages
                        ? channels.get(key(c, c.peer[g], c.device[g], r.payload().ordinal(), stages, r.fromStage(), r.stage())) : -1;
                if (ch < 0 || head[ch] == first[ch + 1]) {
                    throw new PlanException("device '" + c.deviceIds[c.device[g]] + "': '" + r.name() + "' from '"
                            + r.peer() + "' has no matching send");
                }
                int sg = queue[head[ch]++];
                Send s = (Send) c.instructions[sg];
                if (s.microBatch() != r.microBatch() || s.firstSample() != r.firstSample()
                        || s.sampleCount() != r.sampleCount() || s.bytes() != r.bytes()) {
                    throw new PlanException("device '" + c.deviceIds[c.device[g]] + "': '" + r.name()
                            + "' does not match the next send of '" + r.peer() + "', which is '" + s.name() + "'");
                }
                c.partner[sg] = g;
            }
        }
        for (int ch = 0; ch < n; ch++) {
            if (head[ch] < first[ch + 1]) {
                int sg = queue[head[ch]];
                throw new PlanException("device '" + c.deviceIds[c.device[sg]] + "': '" + c.instructions[sg].name()
                        + "' has no matching recv");
            }
        }
    }

    private static int[] grow(int[] a, int index) {
        return index < a.length ? a : Arrays.copyOf(a, Math.max(2 * a.length, index + 1));
    }

    private static long key(CompiledProgram c, int from, int to, int payload, int stages, int fromStage, int toStage) {
        return ((((long) from * c.deviceCount + to) * 2 + payload) * stages + fromStage) * stages + toStage;
    }
}
