package io.jsyd.shim.ttrpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.jsyd.shim.proto.rpc.Status;
import io.jsyd.shim.proto.ttrpc.KeyValue;
import io.jsyd.shim.proto.ttrpc.Request;
import io.jsyd.shim.proto.ttrpc.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves ttrpc on a listening unix socket. A client may have many calls open on
 * one connection at once (containerd's Wait blocks while it sends Kill), so every
 * request runs on a thread of its own and the responses share the connection
 * under a lock, each tagged with its request's stream id.
 */
public final class TtrpcServer implements AutoCloseable {
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final PrintStream log;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    // platform threads: handlers sit in native calls (JNA) that would pin a virtual one
    private final ExecutorService calls = Executors.newCachedThreadPool(Thread.ofPlatform().daemon()
            .name("ttrpc-call-", 0).factory());
    private final boolean debug;
    private volatile ServerSocketChannel listener;

    public TtrpcServer(List<Service> services, PrintStream log) {
        this(services, log, false);
    }

    /** With {@code debug} every call is logged with its status and how long it took. */
    public TtrpcServer(List<Service> services, PrintStream log, boolean debug) {
        services.forEach(s -> this.services.put(s.name(), s));
        this.log = log;
        this.debug = debug;
    }

    /** Accepts connections until {@link #close()}; each is read on a (virtual) thread of its own. */
    public void serve(ServerSocketChannel listener) throws IOException {
        this.listener = listener;
        while (true) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            }
            connections.add(c);
            // a virtual thread: it only reads frames (a blocking channel read parks it) and hands
            // each call to the platform pool; containerd keeps a connection per task, so a
            // platform thread here would cost the shim a stack per container
            Thread.ofVirtual().name("ttrpc-conn").start(() -> read(c));
        }
    }

    private void read(SocketChannel c) {
        Object writeLock = new Object();
        try (c; InputStream in = Channels.newInputStream(c); OutputStream out = Channels.newOutputStream(c)) {
            while (true) {
                Frame f = Frame.readFrom(in);
                if (f == null) {
                    return;
                }
                if (f.type() != Frame.REQUEST) {
                    log.println("ttrpc: ignored a message of type " + f.type() + " on stream "
                            + Integer.toUnsignedString(f.streamId()));
                    continue;
                }
                calls.execute(() -> {
                    long t0 = System.nanoTime();
                    Response r = handle(f.payload());
                    if (debug) {
                        log.println("ttrpc: stream " + Integer.toUnsignedString(f.streamId()) + " " + callName(f.payload())
                                + " -> " + Code.of(r.getStatus().getCode()) + " in "
                                + (System.nanoTime() - t0) / 1_000_000 + " ms");
                    }
                    try {
                        synchronized (writeLock) {
                            new Frame(f.streamId(), Frame.RESPONSE, (byte) 0, r.toByteArray()).writeTo(out);
                        }
                    } catch (IOException e) {
                        log.println("ttrpc: could not send the response on stream "
                                + Integer.toUnsignedString(f.streamId()) + ": " + e.getMessage());
                    }
                });
            }
        } catch (IOException e) {
            if (listener != null && listener.isOpen()) {
                log.println("ttrpc: connection closed: " + e.getMessage());
            }
        } finally {
            connections.remove(c);
        }
    }

    private static String callName(byte[] payload) {
        try {
            Request req = Request.parseFrom(payload);
            return req.getService() + "/" + req.getMethod();
        } catch (InvalidProtocolBufferException e) {
            return "(undecodable)";
        }
    }

    /** One call: never throws; failures become a status in the response. */
    Response handle(byte[] payload) {
        try {
            Request req = Request.parseFrom(payload);
            Service s = services.get(req.getService());
            if (s == null) {
                throw new TtrpcException(Code.UNIMPLEMENTED, "service " + req.getService() + ": not implemented");
            }
            Service.Method m = s.method(req.getMethod());
            if (m == null) {
                throw new TtrpcException(Code.UNIMPLEMENTED, req.getService() + "/" + req.getMethod()
                        + ": not implemented");
            }
            Map<String, String> md = new LinkedHashMap<>();
            for (KeyValue kv : req.getMetadataList()) {
                md.put(kv.getKey(), kv.getValue());
            }
            MessageLite result = m.call(req.getPayload().toByteArray(), md);
            return Response.newBuilder().setStatus(Status.newBuilder().setCode(Code.OK.value()))
                    .setPayload(result.toByteString()).build();
        } catch (TtrpcException e) {
            return error(e.code(), e.getMessage());
        } catch (InvalidProtocolBufferException e) {
            return error(Code.INVALID_ARGUMENT, "ttrpc: undecodable message: " + e.getMessage());
        } catch (RuntimeException e) {
            e.printStackTrace(log);
            return error(Code.INTERNAL, e.toString());
        }
    }

    private static Response error(Code code, String message) {
        return Response.newBuilder().setStatus(Status.newBuilder().setCode(code.value())
                .setMessage(message == null ? code.name() : message)).setPayload(ByteString.EMPTY).build();
    }

    @Override
    public void close() {
        ServerSocketChannel l = listener;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                log.println("ttrpc: closing the listener: " + e.getMessage());
            }
        }
        // calls under way (the Shutdown that got us here) send their responses first
        calls.shutdown();
        try {
            calls.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SocketChannel c : connections) {
            try {
                c.close();
            } catch (IOException e) {
                // closing: nothing more to say to this peer
            }
        }
    }
}
