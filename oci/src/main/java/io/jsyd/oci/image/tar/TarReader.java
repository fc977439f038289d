package io.jsyd.oci.image.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream: ustar, GNU (long names and link targets) and PAX
 * extended headers, the formats image layers come in. Commons Compress reads
 * tar too, but it decodes PAX values as UTF-8 text, which corrupts binary
 * xattrs such as security.capability (measured: 0xC0 came back as U+FFFD), and
 * names that are not UTF-8; this reader keeps both as raw bytes.
 *
 * <p>Entry types follow Go's archive/tar, which wrote most layers and is what
 * umoci reads them with: link, symlink, device, directory and fifo headers
 * carry no data whatever their size field says, and a global PAX header
 * changes nothing. Sparse files are refused: no image tool writes them.
 */
public final class TarReader {
    static final int BLOCK = 512;
    /** Extension headers larger than this are refused (Go's archive/tar uses the same bound). */
    static final int MAX_SPECIAL = 1 << 20;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private long consumed;
    private boolean eof;

    private long remaining;
    private long padding;
    private TarEntry current;
    private boolean done;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** Bytes of the stream consumed so far. */
    public long position() {
        return consumed;
    }

    /**
     * The next member, after skipping what is left of the current one; null at
     * the end of the archive (two zero blocks; or, as Go's reader accepts, the
     * end of the stream at a block boundary or right after a member's data).
     */
    public TarEntry next() throws IOException {
        if (done) {
            return null;
        }
        if (current != null) {
            skip(remaining, current);
            // umoci 0.4.7's insert ends its layers right after the last member's data, with no
            // padding and no end blocks; Go's reader (and so umoci unpack) takes that as the end.
            if (padding > 0 && atEnd()) {
                done = true;
                current = null;
                return null;
            }
            skip(padding, null);
            current = null;
        }
        byte[] longName = null;
        byte[] longLink = null;
        Map<String, byte[]> pax = null;
        while (true) {
            byte[] header = new byte[BLOCK];
            int n = readFully(header, 0, BLOCK);
            if (n == 0) {
                done = true;
                return null;
            }
            if (n < BLOCK) {
                throw new TarFormatException("truncated tar stream: it ends inside a header at byte " + (consumed - n));
            }
            if (isZero(header)) {
                // The end marker is two zero blocks; a lone one followed by the end of the stream is accepted.
                byte[] second = new byte[BLOCK];
                int m = readFully(second, 0, BLOCK);
                if (m != 0 && (m < BLOCK || !isZero(second))) {
                    throw new TarFormatException("corrupt tar stream: a zero block at byte " + (consumed - m - BLOCK)
                            + " is not followed by the end of the archive");
                }
                done = true;
                return null;
            }
            long headerAt = consumed - BLOCK;
            verifyChecksum(header, headerAt);
            byte flag = header[156];
            long size = number(header, 124, 12, "size", headerAt);
            if (size < 0) {
                throw new TarFormatException("corrupt tar header at byte " + headerAt + ": negative size");
            }
            switch (flag) {
                case 'x' -> {
                    pax = parsePax(special(size, "PAX header", headerAt), headerAt);
                    continue;
                }
                case 'g' -> {
                    special(size, "global PAX header", headerAt);
                    continue;
                }
                case 'L' -> {
                    longName = trimNul(special(size, "GNU long name", headerAt));
                    continue;
                }
                case 'K' -> {
                    longLink = trimNul(special(size, "GNU long link name", headerAt));
                    continue;
                }
                case 'V' -> {
                    skip(size + pad(size), null);
                    continue;
                }
                default -> {
                }
            }
            return entry(header, flag, size, headerAt, longName, longLink, pax);
        }
    }

    private TarEntry entry(byte[] header, byte flag, long size, long headerAt, byte[] longName, byte[] longLink,
                           Map<String, byte[]> pax) throws IOException {
        boolean ustar = match(header, 257, "ustar\0");
        byte[] name = cstring(header, 0, 100);
        if (ustar) {
            byte[] prefix = cstring(header, 345, 155);
            if (prefix.length > 0) {
                byte[] joined = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
                joined[prefix.length] = '/';
                System.arraycopy(name, 0, joined, prefix.length + 1, name.length);
                name = joined;
            }
        }
        if (longName != null) {
            name = longName;
        }
        byte[] link = longLink != null ? longLink : cstring(header, 157, 100);
        int mode = (int) (number(header, 100, 8, "mode", headerAt) & 07777);
        long uid = number(header, 108, 8, "uid", headerAt);
        long gid = number(header, 116, 8, "gid", headerAt);
        Instant mtime = Instant.ofEpochSecond(number(header, 136, 12, "mtime", headerAt));
        Instant atime = null;
        int major = 0;
        int minor = 0;
        Map<String, byte[]> xattrs = new HashMap<>();
        if (flag == '3' || flag == '4') {
            major = (int) number(header, 329, 8, "devmajor", headerAt);
            minor = (int) number(header, 337, 8, "devminor", headerAt);
        }
        if (pax != null) {
            for (Map.Entry<String, byte[]> r : pax.entrySet()) {
                String key = r.getKey();
                byte[] value = r.getValue();
                String text = new String(value, StandardCharsets.UTF_8);
                switch (key) {
                    case "path" -> name = value;
                    case "linkpath" -> link = value;
                    case "size" -> size = paxLong(text, key, headerAt);
                    case "uid" -> uid = paxLong(text, key, headerAt);
                    case "gid" -> gid = paxLong(text, key, headerAt);
                    case "mtime" -> mtime = paxTime(text, key, headerAt);
                    case "atime" -> atime = paxTime(text, key, headerAt);
                    case "SCHILY.devmajor" -> major = (int) paxLong(text, key, headerAt);
                    case "SCHILY.devminor" -> minor = (int) paxLong(text, key, headerAt);
                    default -> {
                        if (key.startsWith("SCHILY.xattr.")) {
                            xattrs.put(key.substring("SCHILY.xattr.".length()), value);
                        } else if (key.startsWith("LIBARCHIVE.xattr.")) {
                            String attr = java.net.URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()),
                                    StandardCharsets.UTF_8);
                            xattrs.putIfAbsent(attr, decodeBase64(text, key, headerAt));
                        } else if (key.startsWith("GNU.sparse.")) {
                            throw new TarFormatException("sparse file " + display(name) + " at byte " + headerAt
                                    + ": sparse tar members are not supported");
                        }
                    }
                }
            }
        }
        TarEntry.Type type = switch (flag) {
            case '0', '7' -> TarEntry.Type.FILE;
            case 0 -> name.length > 0 && name[name.length - 1] == '/' ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR_DEVICE;
            case '4' -> TarEntry.Type.BLOCK_DEVICE;
            case '5', 'D' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            case 'S' -> throw new TarFormatException("sparse file " + display(name) + " at byte " + headerAt
                    + ": sparse tar members are not supported");
            default -> throw new TarFormatException("tar member " + display(name) + " at byte " + headerAt
                    + " has type '" + printable(flag) + "', which cannot be unpacked");
        };
        long data = switch (flag) {
            // Go's header-only types: their size field does not announce data.
            case '1', '2', '3', '4', '5', '6' -> 0;
            default -> size;
        };
        if (type != TarEntry.Type.FILE) {
            size = 0;
        }
        if (name.length == 0) {
            throw new TarFormatException("tar member at byte " + headerAt + " has an empty name");
        }
        remaining = data;
        padding = pad(data);
        current = new TarEntry(type, name, link, mode, uid, gid, size, mtime, atime, major, minor, xattrs, consumed);
        return current;
    }

    /** Reads the current member's data; -1 once it is all read. */
    public int read(byte[] b, int off, int len) throws IOException {
        if (current == null || remaining == 0) {
            return -1;
        }
        int want = (int) Math.min(len, remaining);
        int n;
        if (pos < limit) {
            n = Math.min(want, limit - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
        } else if (want >= buf.length / 2) {
            n = in.read(b, off, want);
        } else {
            fill();
            if (pos == limit) {
                n = -1;
            } else {
                n = Math.min(want, limit - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
            }
        }
        if (n < 0) {
            throw new TarFormatException("truncated tar stream: it ends inside the data of " + current.displayName()
                    + " (" + remaining + " bytes missing)");
        }
        consumed += n;
        remaining -= n;
        return n;
    }

    private byte[] special(long size, String what, long headerAt) throws IOException {
        if (size > MAX_SPECIAL) {
            throw new TarFormatException(what + " at byte " + headerAt + " is " + size + " bytes, over the limit of "
                    + MAX_SPECIAL);
        }
        byte[] data = new byte[(int) size];
        if (readFully(data, 0, data.length) < data.length) {
            throw new TarFormatException("truncated tar stream: it ends inside the " + what + " at byte " + headerAt);
        }
        skip(pad(size), null);
        return data;
    }

    private void skip(long n, TarEntry of) throws IOException {
        while (n > 0) {
            if (pos < limit) {
                int k = (int) Math.min(n, limit - pos);
                pos += k;
                consumed += k;
                n -= k;
                continue;
            }
            long k = in.skip(n);
            if (k <= 0) {
                // skip may refuse without being at the end; a read tells for sure
                fill();
                if (pos == limit) {
                    throw new TarFormatException("truncated tar stream: it ends inside "
                            + (of == null ? "padding" : "the data of " + of.displayName()));
                }
                continue;
            }
            consumed += k;
            n -= k;
        }
    }

    private boolean atEnd() throws IOException {
        if (pos < limit) {
            return false;
        }
        fill();
        return pos == limit;
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            if (pos == limit) {
                fill();
                if (pos == limit) {
                    break;
                }
            }
            int k = Math.min(len - total, limit - pos);
            System.arraycopy(buf, pos, b, off + total, k);
            pos += k;
            total += k;
        }
        consumed += total;
        return total;
    }

    private void fill() throws IOException {
        pos = 0;
        limit = 0;
        if (eof) {
            return;
        }
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            eof = true;
        } else {
            limit = n;
        }
    }

    private static long pad(long size) {
        long r = size % BLOCK;
        return r == 0 ? 0 : BLOCK - r;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static void verifyChecksum(byte[] h, long at) throws TarFormatException {
        long expected = number(h, 148, 8, "checksum", at);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = (i >= 148 && i < 156) ? (byte) ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (expected != unsigned && expected != signed) {
            throw new TarFormatException("corrupt tar header at byte " + at + ": checksum " + expected
                    + " does not match the header (" + unsigned + ")");
        }
    }

    /** An octal field, or base-256 when the first byte has its high bit set (GNU and Go write both). */
    static long number(byte[] h, int off, int len, String field, long at) throws TarFormatException {
        if ((h[off] & 0x80) != 0) {
            // Two's complement over the field, the marker bit replaced by the sign (bit 6).
            byte[] raw = Arrays.copyOfRange(h, off, off + len);
            raw[0] = (byte) ((raw[0] & 0x40) != 0 ? raw[0] | 0x80 : raw[0] & 0x7f);
            java.math.BigInteger v = new java.math.BigInteger(raw);
            if (v.bitLength() > 63) {
                throw new TarFormatException("corrupt tar header at byte " + at + ": " + field + " overflows");
            }
            return v.longValue();
        }
        int i = off;
        int end = off + len;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end; i++) {
            byte b = h[i];
            if (b == ' ' || b == 0) {
                break;
            }
            if (b < '0' || b > '7') {
                throw new TarFormatException("corrupt tar header at byte " + at + ": " + field
                        + " is not an octal number");
            }
            if ((v >>> 60) != 0) {
                throw new TarFormatException("corrupt tar header at byte " + at + ": " + field + " overflows");
            }
            v = (v << 3) | (b - '0');
        }
        return v;
    }

    /** PAX records: "LENGTH KEY=VALUE\n", the length counting the whole record. */
    static Map<String, byte[]> parsePax(byte[] data, long at) throws TarFormatException {
        Map<String, byte[]> records = new HashMap<>();
        int i = 0;
        while (i < data.length) {
            if (data[i] == 0) {
                break; // some writers pad the block with NULs
            }
            int sp = i;
            long len = 0;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[sp] - '0');
                sp++;
            }
            if (sp == i || sp >= data.length || data[sp] != ' ' || len <= sp - i + 1 || i + len > data.length
                    || data[(int) (i + len - 1)] != '\n') {
                throw new TarFormatException("corrupt PAX header at byte " + at + ": bad record at offset " + i);
            }
            int end = (int) (i + len - 1);
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq == end || eq == sp + 1) {
                throw new TarFormatException("corrupt PAX header at byte " + at + ": record without key=value at offset "
                        + i);
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            records.put(key, Arrays.copyOfRange(data, eq + 1, end));
            i += (int) len;
        }
        // An empty value deletes a record (POSIX): the header's own field counts again.
        records.values().removeIf(v -> v.length == 0);
        return records;
    }

    private static long paxLong(String text, String key, long at) throws TarFormatException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TarFormatException("corrupt PAX header at byte " + at + ": " + key + "=" + text
                    + " is not a number");
        }
    }

    static Instant paxTime(String text, String key, long at) throws TarFormatException {
        try {
            BigDecimal d = new BigDecimal(text);
            BigDecimal seconds = d.setScale(0, java.math.RoundingMode.FLOOR);
            long nanos = d.subtract(seconds).movePointRight(9).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            return Instant.ofEpochSecond(seconds.longValueExact(), nanos);
        } catch (ArithmeticException | NumberFormatException | java.time.DateTimeException e) {
            throw new TarFormatException("corrupt PAX header at byte " + at + ": " + key + "=" + text
                    + " is not a time");
        }
    }

    private static byte[] decodeBase64(String text, String key, long at) throws TarFormatException {
        try {
            return Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new TarFormatException("corrupt PAX header at byte " + at + ": " + key + " is not base64");
        }
    }

    private static byte[] cstring(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return Arrays.copyOfRange(h, off, end);
    }

    private static byte[] trimNul(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        int nul = 0;
        while (nul < end && b[nul] != 0) {
            nul++;
        }
        return Arrays.copyOf(b, nul);
    }

    private static boolean match(byte[] h, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (h[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String display(byte[] name) {
        return new String(name, StandardCharsets.UTF_8);
    }

    private static String printable(byte flag) {
        return flag >= 0x20 && flag < 0x7f ? String.valueOf((char) flag) : "\\x" + String.format("%02x", flag & 0xff);
    }
}
