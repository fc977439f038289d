package io.jsyd.shim.ttrpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FrameTest {
    @Test
    void headerIsBigEndianLengthStreamTypeFlags() {
        byte[] wire = new Frame(0x01020304, Frame.REQUEST, (byte) 0x7f, new byte[] {9, 8, 7}).encode();
        assertArrayEquals(new byte[] {0, 0, 0, 3, 1, 2, 3, 4, 1, 0x7f, 9, 8, 7}, wire);
    }

    @Test
    void framesRoundTripBackToBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new Frame(1, Frame.REQUEST, (byte) 0, "first".getBytes()).writeTo(out);
        new Frame(3, Frame.RESPONSE, (byte) 0, new byte[0]).writeTo(out);
        // a stream id above 2^31 stays the same bits
        new Frame(0xfffffffd, Frame.REQUEST, (byte) 2, new byte[] {1}).writeTo(out);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        Frame a = Frame.readFrom(in);
        Frame b = Frame.readFrom(in);
        Frame c = Frame.readFrom(in);
        assertEquals(1, a.streamId());
        assertEquals("first", new String(a.payload()));
        assertEquals(Frame.RESPONSE, b.type());
        assertEquals(0, b.payload().length);
        assertEquals("4294967293", Integer.toUnsignedString(c.streamId()));
        assertEquals(2, c.flags());
        assertNull(Frame.readFrom(in), "a clean end between frames");
    }

    @Test
    void aTruncatedHeaderOrPayloadIsAnError() {
        byte[] wire = new Frame(1, Frame.REQUEST, (byte) 0, new byte[] {1, 2, 3, 4}).encode();
        assertThrows(EOFException.class, () -> Frame.readFrom(new ByteArrayInputStream(Arrays.copyOf(wire, 5))));
        EOFException e = assertThrows(EOFException.class,
                () -> Frame.readFrom(new ByteArrayInputStream(Arrays.copyOf(wire, 12))));
        assertTrue(e.getMessage().contains("2 of 4"), e.getMessage());
    }

    @Test
    void anOversizedMessageIsRefusedBeforeItsPayloadIsRead() {
        byte[] header = ByteBuffer.allocate(Frame.HEADER_LENGTH).putInt(Frame.MAX_PAYLOAD + 1).putInt(1)
                .put(Frame.REQUEST).put((byte) 0).array();
        Frame.ProtocolException e = assertThrows(Frame.ProtocolException.class,
                () -> Frame.readFrom(new ByteArrayInputStream(header)));
        assertTrue(e.getMessage().contains("over the limit"), e.getMessage());
        // a length with the top bit set is a large unsigned length, not a negative one
        byte[] huge = ByteBuffer.allocate(Frame.HEADER_LENGTH).putInt(0x80000000).putInt(1).put(Frame.REQUEST)
                .put((byte) 0).array();
        assertThrows(Frame.ProtocolException.class, () -> Frame.readFrom(new ByteArrayInputStream(huge)));
        assertThrows(IllegalArgumentException.class,
                () -> new Frame(1, Frame.RESPONSE, (byte) 0, new byte[Frame.MAX_PAYLOAD + 1]));
    }
}
