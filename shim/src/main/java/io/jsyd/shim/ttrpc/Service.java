package io.jsyd.shim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import java.util.Map;

/**
 * A ttrpc service: its full name (the proto package and service, e.g.
 * containerd.task.v2.Task) and one handler per method.
 */
public interface Service {
    String name();

    /** The handler of {@code method}, or null when the service has none. */
    Method method(String method);

    /** Decodes the request payload, runs the call and returns the response message. */
    @FunctionalInterface
    interface Method {
        MessageLite call(byte[] payload, Map<String, String> metadata) throws TtrpcException,
                InvalidProtocolBufferException;
    }
}
