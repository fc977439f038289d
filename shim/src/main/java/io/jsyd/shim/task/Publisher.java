package io.jsyd.shim.task;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.jsyd.shim.proto.events.Envelope;
import io.jsyd.shim.proto.events.ForwardRequest;
import io.jsyd.shim.ttrpc.TtrpcClient;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Sends task events to containerd as containerd 1.6's shims do: over ttrpc to the
 * socket in $TTRPC_ADDRESS, Events.Forward with an envelope (time, namespace,
 * topic, the event as an Any whose type URL is the message's full proto name).
 * One thread sends them in the order they happened; a failed send is retried a
 * few times, then logged.
 */
public final class Publisher implements AutoCloseable {
    static final String SERVICE = "containerd.services.events.ttrpc.v1.Events";
    /** The ttrpc metadata key containerd reads the namespace from. */
    static final String NAMESPACE_KEY = "containerd-namespace-ttrpc";
    private static final int ATTEMPTS = 5;

    private final TtrpcClient client;
    private final String namespace;
    private final PrintStream log;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("events").factory());

    /** @param socket containerd's ttrpc socket, or null to send nothing (no TTRPC_ADDRESS) */
    public Publisher(Path socket, String namespace, PrintStream log) {
        this.client = socket == null ? null : new TtrpcClient(socket);
        this.namespace = namespace;
        this.log = log;
    }

    /** Builds the envelope of an event: what goes over the wire. */
    static ForwardRequest envelope(String namespace, String topic, Message event, Instant at) {
        return ForwardRequest.newBuilder().setEnvelope(Envelope.newBuilder()
                .setTimestamp(timestamp(at)).setNamespace(namespace).setTopic(topic)
                .setEvent(Any.newBuilder().setTypeUrl(event.getDescriptorForType().getFullName())
                        .setValue(event.toByteString()))).build();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    public void publish(String topic, Message event) {
        if (client == null) {
            return;
        }
        ForwardRequest req = envelope(namespace, topic, event, Instant.now());
        sender.execute(() -> {
            for (int attempt = 1; ; attempt++) {
                try {
                    client.call(SERVICE, "Forward", req, Map.of(NAMESPACE_KEY, namespace));
                    return;
                } catch (IOException | TtrpcException e) {
                    if (attempt == ATTEMPTS) {
                        log.println("events: could not publish " + topic + ": " + e.getMessage());
                        return;
                    }
                    try {
                        Thread.sleep(100L * attempt);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        });
    }

    /** Sends what is queued (for at most a few seconds), then closes. */
    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (client != null) {
            client.close();
        }
    }
}
