package org.modelpar.executor.transport;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The one Netty event loop of a process: a group of one thread ({@code modelpar-netty}) that every gRPC server and
 * channel of the process runs on (the transport's server and its streams to the peers, the coordinator's server,
 * the worker's channel to the coordinator, the link probes), epoll where the native transport loads (Linux) and NIO
 * otherwise. gRPC's default gives the servers and channels of a process a pool of twice the cores plus a boss thread,
 * so the two ends of a pipeline's stream and the heartbeat land on different threads, each of which must be woken on
 * a host whose cores the workers compute on. The owner creates it before the servers and channels and closes it after
 * them; closing stops the thread. Its CPU time ({@link #cpuSeconds}) is what the process's messages cost its host's
 * cores besides the threads that send and receive them ({@link TransportLoad}).
 */
public final class EventLoop implements AutoCloseable {
    /** How long closing waits for the thread to finish what is queued on it. */
    private static final long CLOSE_SECONDS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final EventLoopGroup group;
    private final boolean epoll;
    private final List<Thread> threads;

    private EventLoop(EventLoopGroup group, boolean epoll, List<Thread> threads) {
        this.group = group;
        this.epoll = epoll;
        this.threads = threads;
    }

    /** Starts the event loop: epoll when {@link Epoll#isAvailable()}, else NIO. */
    public static EventLoop start() {
        List<Thread> started = new CopyOnWriteArrayList<>();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "modelpar-netty");
            t.setDaemon(true);
            started.add(t);
            return t;
        };
        return Epoll.isAvailable() ? new EventLoop(new EpollEventLoopGroup(1, threads), true, started)
                : new EventLoop(new NioEventLoopGroup(1, threads), false, started);
    }

    /**
     * The CPU seconds its thread has run so far (0 before it starts, or where the JVM cannot read a thread's CPU
     * time).
     */
    public double cpuSeconds() {
        if (!THREADS.isThreadCpuTimeSupported() || !THREADS.isThreadCpuTimeEnabled()) {
            return 0;
        }
        return threads.stream().mapToLong(t -> Math.max(0, THREADS.getThreadCpuTime(t.getId()))).sum() / 1e9;
    }

    /** Whether it runs on Linux's epoll (else Java's NIO selector). */
    public boolean epoll() {
        return epoll;
    }

    /**
     * Why a server of {@link #server} could not start: netty's bind failure says it in its cause ({@code bind(..) failed:
     * Address already in use}), its own message only repeats the address.
     */
    public static String whyNotServing(IOException e) {
        return (e.getCause() != null ? e.getCause() : e).getMessage();
    }

    /** A server builder on {@code host:port} whose acceptor and connections run on this loop. */
    public NettyServerBuilder server(String host, int port, ServerCredentials credentials) {
        Class<? extends ServerChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials)
                .bossEventLoopGroup(group).workerEventLoopGroup(group).channelType(type);
    }

    /** A channel builder to {@code target} ({@code host:port}) whose connection runs on this loop. */
    public NettyChannelBuilder channel(String target, ChannelCredentials credentials) {
        Class<? extends Channel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        return NettyChannelBuilder.forTarget(target, credentials).eventLoopGroup(group).channelType(type);
    }

    /** Stops the thread once what is queued on it has run (at most {@link #CLOSE_SECONDS} s), after its servers and channels. */
    @Override
    public void close() {
        group.shutdownGracefully(0, CLOSE_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
    }
}
