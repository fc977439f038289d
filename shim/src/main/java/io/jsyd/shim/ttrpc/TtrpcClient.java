package io.jsyd.shim.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.jsyd.shim.proto.ttrpc.KeyValue;
import io.jsyd.shim.proto.ttrpc.Request;
import io.jsyd.shim.proto.ttrpc.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * A ttrpc client for one call at a time (the shim's event publisher): it connects
 * on first use and again after a broken connection.
 */
public final class TtrpcClient implements AutoCloseable {
    private final Path socket;
    private SocketChannel channel;
    private InputStream in;
    private OutputStream out;
    private int nextStream = 1;

    public TtrpcClient(Path socket) {
        this.socket = socket;
    }

    /** Calls {@code service/method} and returns the response payload. */
    public synchronized byte[] call(String service, String method, MessageLite request, Map<String, String> metadata)
            throws IOException, TtrpcException {
        if (channel == null || !channel.isOpen()) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                channel.close();
                channel = null;
                throw e;
            }
            in = Channels.newInputStream(channel);
            out = Channels.newOutputStream(channel);
            nextStream = 1;
        }
        Request.Builder r = Request.newBuilder().setService(service).setMethod(method)
                .setPayload(request.toByteString());
        metadata.forEach((k, v) -> r.addMetadata(KeyValue.newBuilder().setKey(k).setValue(v)));
        int stream = nextStream;
        nextStream += 2;
        try {
            new Frame(stream, Frame.REQUEST, (byte) 0, r.build().toByteArray()).writeTo(out);
            Frame f = Frame.readFrom(in);
            if (f == null) {
                throw new IOException("ttrpc: " + socket + " closed the connection before it answered");
            }
            if (f.type() != Frame.RESPONSE || f.streamId() != stream) {
                throw new Frame.ProtocolException("ttrpc: expected the response on stream " + stream + ", got type "
                        + f.type() + " on stream " + Integer.toUnsignedString(f.streamId()));
            }
            Response resp = Response.parseFrom(f.payload());
            if (resp.hasStatus() && resp.getStatus().getCode() != Code.OK.value()) {
                throw new TtrpcException(Code.of(resp.getStatus().getCode()), resp.getStatus().getMessage());
            }
            return resp.getPayload().toByteArray();
        } catch (IOException e) {
            close();
            if (e instanceof InvalidProtocolBufferException) {
                throw new Frame.ProtocolException("ttrpc: undecodable response: " + e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // the connection is being dropped anyway
            }
            channel = null;
        }
    }
}
