package io.jsyd.runtime.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The paths the tracer builds in its reused buffer: the bytes a syscall gets. */
class CPathTest {
    private static String terminated(ByteBuffer b, CPath p) {
        p.terminate();
        byte[] out = new byte[p.length()];
        b.get(0, out);
        assertEquals(0, b.get(p.length()), "NUL after the path");
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void procPathsAreBuiltFromTextAndNumbers() {
        ByteBuffer b = ByteBuffer.allocate(64);
        CPath p = new CPath(b);
        p.clear().add("/proc/").add(4194304).add("/fd/").add(0);
        assertEquals("/proc/4194304/fd/0", terminated(b, p));
        p.clear().add("/proc/".getBytes(StandardCharsets.US_ASCII)).add(1).add("/".getBytes(StandardCharsets.US_ASCII))
                .add("fdinfo".getBytes(StandardCharsets.US_ASCII)).add("/").add(12);
        assertEquals("/proc/1/fdinfo/12", terminated(b, p));
        p.clear().add(-100).add("/").add(Long.MIN_VALUE).add("/").add(7);
        assertEquals("-100/-9223372036854775808/7", terminated(b, p));
        assertTrue(p.fits());
    }

    @Test
    void nonAsciiTextIsUtf8AndClearStartsOver() {
        ByteBuffer b = ByteBuffer.allocate(64);
        CPath p = new CPath(b);
        p.clear().add("/a-much-longer-path-than-the-next");
        p.clear().add("/tmp/é€").add("x".getBytes(StandardCharsets.UTF_8), 0, -1);
        assertEquals("/tmp/é€x", terminated(b, p));
        assertEquals("/tmp/é€x".getBytes(StandardCharsets.UTF_8).length, p.length());
        assertEquals("/tmp/é€x", p.toString());
    }

    @Test
    void aPathThatDoesNotFitIsReportedNotCut() {
        ByteBuffer b = ByteBuffer.allocate(8);
        CPath p = new CPath(b).clear().add("/proc/1234");
        assertFalse(p.fits());
        assertEquals(7, p.length(), "room is kept for the NUL");
        assertTrue(p.clear().add("/proc/1").fits());
        assertFalse(p.clear().add("/proc/".getBytes(StandardCharsets.US_ASCII)).add(12).fits(), "bytes overflow too");
    }
}
