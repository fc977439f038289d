package io.jsyd.shim.ttrpc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One ttrpc message on the wire: a 10-byte header (payload length and stream id as
 * big-endian uint32, a type byte, a flags byte) and the payload, a protobuf
 * Request or Response. A client numbers its streams with odd ids; the response to a
 * request carries the request's stream id.
 */
public record Frame(int streamId, byte type, byte flags, byte[] payload) {
    public static final int HEADER_LENGTH = 10;
    /** ttrpc's limit: a longer message is refused by both ends. */
    public static final int MAX_PAYLOAD = 4 << 20;
    public static final byte REQUEST = 1;
    public static final byte RESPONSE = 2;

    public Frame {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a ttrpc message of " + payload.length + " bytes is over the limit of "
                    + MAX_PAYLOAD);
        }
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + payload.length);
        b.putInt(payload.length).putInt(streamId).put(type).put(flags).put(payload);
        return b.array();
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(encode());
        out.flush();
    }

    /** The next frame, or null at a clean end of the stream (between frames). */
    public static Frame readFrom(InputStream in) throws IOException {
        byte[] header = new byte[HEADER_LENGTH];
        int first = in.readNBytes(header, 0, HEADER_LENGTH);
        if (first == 0) {
            return null;
        }
        if (first < HEADER_LENGTH) {
            throw new EOFException("ttrpc: the stream ended inside a message header (" + first + " of "
                    + HEADER_LENGTH + " bytes)");
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        long length = Integer.toUnsignedLong(h.getInt());
        int streamId = h.getInt();
        byte type = h.get();
        byte flags = h.get();
        if (length > MAX_PAYLOAD) {
            // the payload cannot be skipped safely on a stream we no longer trust
            throw new ProtocolException("ttrpc: a message of " + length + " bytes on stream "
                    + Integer.toUnsignedString(streamId) + " is over the limit of " + MAX_PAYLOAD);
        }
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("ttrpc: the stream ended inside a message (" + payload.length + " of " + length
                    + " bytes)");
        }
        return new Frame(streamId, type, flags, payload);
    }

    /** The peer broke the framing: the connection cannot go on. */
    public static final class ProtocolException extends IOException {
        public ProtocolException(String message) {
            super(message);
        }
    }
}
