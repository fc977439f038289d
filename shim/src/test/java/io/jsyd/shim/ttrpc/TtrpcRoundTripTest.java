package io.jsyd.shim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.jsyd.shim.proto.task.ConnectResponse;
import io.jsyd.shim.proto.task.WaitRequest;
import io.jsyd.shim.proto.task.WaitResponse;
import io.jsyd.shim.proto.ttrpc.Request;
import io.jsyd.shim.proto.ttrpc.Response;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TtrpcRoundTripTest {
    /** Wait blocks until a Release call on the same connection lets it go: calls run side by side. */
    private static final class Blocking implements Service {
        final CountDownLatch released = new CountDownLatch(1);
        volatile Map<String, String> seenMetadata;

        @Override
        public String name() {
            return "test.v1.Blocking";
        }

        @Override
        public Method method(String method) {
            return switch (method) {
                case "Wait" -> (payload, md) -> {
                    WaitRequest r = WaitRequest.parseFrom(payload);
                    try {
                        if (!released.await(30, TimeUnit.SECONDS)) {
                            throw new TtrpcException(Code.DEADLINE_EXCEEDED, "never released");
                        }
                    } catch (InterruptedException e) {
                        throw new TtrpcException(Code.CANCELLED, "interrupted");
                    }
                    return WaitResponse.newBuilder().setExitStatus(r.getId().length())
                            .setExitedAt(Timestamp.newBuilder().setSeconds(42)).build();
                };
                case "Release" -> (payload, md) -> {
                    seenMetadata = md;
                    released.countDown();
                    return ConnectResponse.newBuilder().setShimPid(7).build();
                };
                case "Fail" -> (payload, md) -> {
                    throw new TtrpcException(Code.NOT_FOUND, "process already finished");
                };
                default -> null;
            };
        }
    }

    @Test
    void callsOnOneConnectionRunSideBySide(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("s");
        Blocking svc = new Blocking();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        try (ServerSocketChannel l = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             TtrpcServer server = new TtrpcServer(List.of(svc), new PrintStream(logBytes, true))) {
            l.bind(UnixDomainSocketAddress.of(sock));
            Thread t = Thread.ofPlatform().daemon().start(() -> {
                try {
                    server.serve(l);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (TtrpcClient waiter = new TtrpcClient(sock); TtrpcClient other = new TtrpcClient(sock)) {
                CompletableFuture<WaitResponse> wait = CompletableFuture.supplyAsync(() -> {
                    try {
                        return WaitResponse.parseFrom(waiter.call("test.v1.Blocking", "Wait",
                                WaitRequest.newBuilder().setId("abcd").build(), Map.of()));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                ConnectResponse c = ConnectResponse.parseFrom(other.call("test.v1.Blocking", "Release",
                        WaitRequest.getDefaultInstance(), Map.of("containerd-namespace-ttrpc", "k8s.io")));
                assertEquals(7, c.getShimPid());
                assertEquals(Map.of("containerd-namespace-ttrpc", "k8s.io"), svc.seenMetadata);
                WaitResponse w = wait.get(30, TimeUnit.SECONDS);
                assertEquals(4, w.getExitStatus());
                assertEquals(42, w.getExitedAt().getSeconds());

                TtrpcException e = assertThrows(TtrpcException.class,
                        () -> other.call("test.v1.Blocking", "Fail", WaitRequest.getDefaultInstance(), Map.of()));
                assertEquals(Code.NOT_FOUND, e.code());
                assertEquals("process already finished", e.getMessage());
                e = assertThrows(TtrpcException.class,
                        () -> other.call("test.v1.Blocking", "Nope", WaitRequest.getDefaultInstance(), Map.of()));
                assertEquals(Code.UNIMPLEMENTED, e.code());
                e = assertThrows(TtrpcException.class,
                        () -> other.call("containerd.task.v2.Task", "State", WaitRequest.getDefaultInstance(), Map.of()));
                assertEquals(Code.UNIMPLEMENTED, e.code());
                assertTrue(e.getMessage().contains("containerd.task.v2.Task"), e.getMessage());
            }
            server.close();
            t.join(10_000);
        }
        assertTrue(Files.exists(sock));
    }

    @Test
    void anUndecodablePayloadIsInvalidArgument() {
        TtrpcServer server = new TtrpcServer(List.of(new Blocking()), new PrintStream(new ByteArrayOutputStream()));
        Response r = server.handle(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertEquals(Code.INVALID_ARGUMENT.value(), r.getStatus().getCode());
        // a request whose own payload does not parse as the method's message
        Response r2 = server.handle(Request.newBuilder().setService("test.v1.Blocking").setMethod("Wait")
                .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 0x7f})).build().toByteArray());
        assertEquals(Code.INVALID_ARGUMENT.value(), r2.getStatus().getCode());
        server.close();
    }
}
