package io.jsyd.runtime.spawn;

import io.jsyd.runtime.StubProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** struct jsyd_msg of the stub: type, op index, errno, value, text. */
public record StubMessage(MessageType type, int op, int errno, long value, String text) {
    public static final int SIZE = 256;
    private static final int TEXT_OFFSET = 24;

    public static StubMessage decode(byte[] data) {
        if (data.length != SIZE) {
            throw new StubProtocolException("init stub sent " + data.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        MessageType type;
        try {
            type = MessageType.of(b.getInt(0));
        } catch (IllegalArgumentException e) {
            throw new StubProtocolException(e.getMessage());
        }
        int end = TEXT_OFFSET;
        while (end < SIZE && data[end] != 0) {
            end++;
        }
        return new StubMessage(type, b.getInt(4), b.getInt(8), b.getLong(16),
                new String(data, TEXT_OFFSET, end - TEXT_OFFSET, StandardCharsets.UTF_8));
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putInt(0, type.code()).putInt(4, op).putInt(8, errno).putLong(16, value);
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        b.put(TEXT_OFFSET, t, 0, Math.min(t.length, SIZE - TEXT_OFFSET - 1));
        return b.array();
    }

    public static StubMessage answer(MessageType type) {
        return new StubMessage(type, -1, 0, 0, "");
    }
}
