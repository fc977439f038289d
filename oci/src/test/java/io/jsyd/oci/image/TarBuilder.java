package io.jsyd.oci.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes tar streams byte by byte, so tests can make any archive a hostile
 * image could hold: names with "..", absolute names, links anywhere, binary
 * xattrs, whiteouts. Long names and xattrs go into a PAX header as Go writes them.
 */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long uid;
    private long gid;
    private long mtime = 1_700_000_000L;
    private final Map<String, byte[]> xattrs = new LinkedHashMap<>();

    TarBuilder owner(long uid, long gid) {
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    TarBuilder mtime(long seconds) {
        this.mtime = seconds;
        return this;
    }

    /** An xattr for the next entry only. */
    TarBuilder xattr(String key, byte[] value) {
        xattrs.put(key, value);
        return this;
    }

    TarBuilder dir(String name, int mode) {
        return entry('5', name, "", mode, new byte[0], 0, 0);
    }

    TarBuilder file(String name, int mode, String content) {
        return file(name, mode, content.getBytes(StandardCharsets.UTF_8));
    }

    TarBuilder file(String name, int mode, byte[] content) {
        return entry('0', name, "", mode, content, 0, 0);
    }

    TarBuilder symlink(String name, String target) {
        return entry('2', name, target, 0777, new byte[0], 0, 0);
    }

    TarBuilder hardlink(String name, String target) {
        return entry('1', name, target, 0644, new byte[0], 0, 0);
    }

    TarBuilder fifo(String name, int mode) {
        return entry('6', name, "", mode, new byte[0], 0, 0);
    }

    TarBuilder charDevice(String name, int mode, int major, int minor) {
        return entry('3', name, "", mode, new byte[0], major, minor);
    }

    TarBuilder entry(char type, String name, String link, int mode, byte[] content, int major, int minor) {
        return entry(type, name.getBytes(StandardCharsets.UTF_8), link.getBytes(StandardCharsets.UTF_8), mode, content,
                major, minor);
    }

    TarBuilder entry(char type, byte[] name, byte[] link, int mode, byte[] content, int major, int minor) {
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (name.length > 99) {
            pax.put("path", name);
        }
        if (link.length > 99) {
            pax.put("linkpath", link);
        }
        xattrs.forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
        xattrs.clear();
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            header('x', "PaxHeaders/x".getBytes(StandardCharsets.US_ASCII), new byte[0], 0644, records.length, 0, 0);
            data(records);
        }
        header(type, name.length > 99 ? Arrays.copyOf(name, 99) : name, link.length > 99 ? Arrays.copyOf(link, 99) : link,
                mode, content.length, major, minor);
        data(content);
        return this;
    }

    /** Raw bytes appended as they are (for corrupt archives). */
    TarBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] build() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** Without the end-of-archive blocks. */
    byte[] buildUnterminated() {
        return out.toByteArray();
    }

    private void header(char type, byte[] name, byte[] link, int mode, long size, int major, int minor) {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        System.arraycopy(link, 0, h, 157, link.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        octal(h, 329, 8, major);
        octal(h, 337, 8, minor);
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        out.writeBytes(h);
    }

    private void data(byte[] content) {
        out.writeBytes(content);
        int pad = (512 - content.length % 512) % 512;
        out.writeBytes(new byte[pad]);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        byte[] b = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, Math.min(b.length, len - 1));
        h[off + len - 1] = 0;
    }

    static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1;
            int len = body + String.valueOf(body).length();
            if (String.valueOf(len).length() != String.valueOf(body).length()) {
                len++;
            }
            o.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            o.writeBytes(key);
            o.write('=');
            o.writeBytes(r.getValue());
            o.write('\n');
        }
        return o.toByteArray();
    }
}
