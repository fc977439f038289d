package io.jsyd.oci.image.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Tools;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.DirFd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarReaderTest {
    @TempDir
    Path tmp;

    private static List<TarEntry> all(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        TarEntry e;
        while ((e = r.next()) != null) {
            out.add(e);
        }
        return out;
    }

    private static String read(TarReader r) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] b = new byte[7];
        int n;
        while ((n = r.read(b, 0, b.length)) > 0) {
            o.write(b, 0, n);
        }
        return o.toString(StandardCharsets.UTF_8);
    }

    /** GNU tar writes what layers hold: a long name, a symlink, a hard link, a binary capability xattr. */
    @Test
    void readsWhatGnuTarWritesIncludingBinaryXattrs() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        String longName = "d/" + "n".repeat(150);
        Files.createDirectories(src.resolve("d"));
        Files.writeString(src.resolve(longName), "long");
        Files.writeString(src.resolve("f"), "hello world");
        Files.createSymbolicLink(src.resolve("s"), Path.of("../elsewhere"));
        Files.createLink(src.resolve("h"), src.resolve("f"));
        // security.capability v2 with CAP_SETUID (bit 7: byte 0x80) and CAP_NET_RAW (bit 13)
        byte[] cap = HexFormat.of().parseHex("0100000280200000000000000000000000000000");
        boolean haveXattr;
        try (DirFd dir = DirFd.open(src)) {
            dir.setXattr("f".getBytes(StandardCharsets.UTF_8), "user.bin", cap);
            haveXattr = true;
        } catch (SyscallException e) {
            haveXattr = false; // a file system without user xattrs
        }
        Path tar = tmp.resolve("x.tar");
        Optional<Tools.Output> t = Tools.run(tmp, "tar", "--xattrs", "--xattrs-include=*", "--format=pax", "-cf",
                tar.toString(), "-C", src.toString(), "d", "f", "s", "h");
        assumeTrue(t.isPresent() && t.get().status() == 0, "GNU tar is needed");

        TarReader r = new TarReader(new ByteArrayInputStream(Files.readAllBytes(tar)));
        TarEntry d = r.next();
        assertEquals("d/", d.displayName());
        assertEquals(TarEntry.Type.DIRECTORY, d.type());
        TarEntry l = r.next();
        assertEquals(longName, l.displayName());
        assertEquals("long", read(r));
        TarEntry f = r.next();
        assertEquals("f", f.displayName());
        assertEquals(11, f.size());
        assertEquals("hello world", read(r));
        if (haveXattr) {
            assertArrayEquals(cap, f.xattrs().get("user.bin"));
        }
        TarEntry s = r.next();
        assertEquals(TarEntry.Type.SYMLINK, s.type());
        assertEquals("../elsewhere", s.displayLinkName());
        TarEntry h = r.next();
        assertEquals(TarEntry.Type.HARDLINK, h.type());
        assertEquals("f", h.displayLinkName());
        assertNull(r.next());
        assertNull(r.next());
    }

    @Test
    void gnuLongNamesAndBase256Numbers() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("g"));
        String longName = "x".repeat(200);
        Files.writeString(src.resolve(longName), "v");
        Files.createSymbolicLink(src.resolve("l"), Path.of("t".repeat(180)));
        Path tar = tmp.resolve("g.tar");
        Optional<Tools.Output> t = Tools.run(tmp, "tar", "--format=gnu", "--owner=3000000:3000000",
                "--group=3000000:3000000", "-cf", tar.toString(), "-C", src.toString(), longName, "l");
        assumeTrue(t.isPresent() && t.get().status() == 0, "GNU tar is needed");
        List<TarEntry> entries = all(Files.readAllBytes(tar));
        assertEquals(longName, entries.get(0).displayName());
        assertEquals(3000000L, entries.get(0).uid()); // over 2097151: GNU tar writes it in base-256
        assertEquals("t".repeat(180), entries.get(1).displayLinkName());
    }

    @Test
    void paxRecordsKeepRawBytesAndTimes() throws Exception {
        byte[] records = ("30 mtime=1700000000.123456789\n").getBytes(StandardCharsets.US_ASCII);
        var m = TarReader.parsePax(records, 0);
        assertEquals(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), TarReader.paxTime(
                new String(m.get("mtime"), StandardCharsets.US_ASCII), "mtime", 0));
        assertEquals(Instant.ofEpochSecond(-2, 500_000_000), TarReader.paxTime("-1.5", "mtime", 0));
        byte[] bad = "99 path=x\n".getBytes(StandardCharsets.US_ASCII);
        assertThrows(TarFormatException.class, () -> TarReader.parsePax(bad, 0));
    }

    @Test
    void corruptChecksumIsRefused() throws Exception {
        byte[] tar = gnuTar("f", "data");
        tar[0] ^= 1;
        TarFormatException e = assertThrows(TarFormatException.class, () -> all(tar));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void truncationInsideDataIsRefused() throws Exception {
        byte[] tar = gnuTar("f", "x".repeat(2000));
        byte[] cut = Arrays.copyOf(tar, 512 + 1000);
        TarReader r = new TarReader(new ByteArrayInputStream(cut));
        r.next();
        TarFormatException e = assertThrows(TarFormatException.class, () -> read(r));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        byte[] half = Arrays.copyOf(tar, 300);
        assertThrows(TarFormatException.class, () -> all(half));
    }

    /** What umoci 0.4.7's insert writes: the last member's data, then nothing. */
    @Test
    void streamEndingRightAfterTheLastDataIsComplete() throws Exception {
        byte[] tar = gnuTar("u", "x".repeat(700));
        byte[] cut = Arrays.copyOf(tar, 512 + 700);
        TarReader r = new TarReader(new ByteArrayInputStream(cut));
        assertEquals("u", r.next().displayName());
        assertEquals("x".repeat(700), read(r));
        assertNull(r.next());
        TarReader skipped = new TarReader(new ByteArrayInputStream(cut));
        skipped.next();
        assertNull(skipped.next());
    }

    @Test
    void dataIsSkippedWhenNotRead() throws Exception {
        byte[] tar = gnuTar("a", "x".repeat(100_000));
        List<TarEntry> entries = all(tar);
        assertEquals(1, entries.size());
        TarReader r = new TarReader(new SlowStream(tar));
        r.next();
        assertNull(r.next());
    }

    private byte[] gnuTar(String name, String content) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src-" + name + content.length()));
        Files.writeString(src.resolve(name), content);
        Path tar = tmp.resolve(name + content.length() + ".tar");
        Optional<Tools.Output> t = Tools.run(tmp, "tar", "-cf", tar.toString(), "-C", src.toString(), name);
        assumeTrue(t.isPresent() && t.get().status() == 0, "GNU tar is needed");
        return Files.readAllBytes(tar);
    }

    /** Hands out a few bytes a call and refuses to skip, like a decompressor may. */
    private static final class SlowStream extends InputStream {
        private final byte[] data;
        private int pos;

        SlowStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 37), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            return 0;
        }
    }
}
