package io.jsyd.cri;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jsyd.cri.v1.RuntimeServiceGrpc;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC connection to a CRI runtime service on a unix socket (containerd's
 * address, where its CRI plugin registers runtime.v1), as the kubelet dials it:
 * plaintext HTTP/2 over the socket, through Netty's epoll transport (the JDK's
 * own channels have no HTTP/2 client for a unix socket).
 */
public final class CriConnection implements AutoCloseable {
    private final EventLoopGroup loop;
    private final ManagedChannel channel;

    private CriConnection(EventLoopGroup loop, ManagedChannel channel) {
        this.loop = loop;
        this.channel = channel;
    }

    public static CriConnection open(Path socket) {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .eventLoopGroup(loop)
                    .channelType(EpollDomainSocketChannel.class)
                    // a unix socket has no host name: the :authority containerd sees
                    .overrideAuthority("localhost")
                    .usePlaintext()
                    .build();
            return new CriConnection(loop, channel);
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A blocking stub whose every call fails after {@code seconds} instead of hanging. */
    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(long seconds) {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
