package io.jsyd.oci.image.unpack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Paths inside the rootfs as Latin-1 strings: each char is one byte of the
 * archive's name, so any byte sequence survives (the kernel gets the same
 * bytes back) while the code can use String operations and hash sets.
 */
final class EntryPath {
    private EntryPath() {
    }

    /**
     * The lexically cleaned form of an archive name, relative to the rootfs and
     * without a leading or trailing slash ("" is the root): "." parts dropped,
     * ".." removing the part before it and stopping at the root, as Go's
     * filepath.Clean("/" + name) does, so that "../../etc/passwd" is the
     * rootfs's /etc/passwd. Symlinks in the result are resolved later, by the
     * kernel, inside the rootfs.
     */
    static String clean(byte[] raw) {
        Deque<String> parts = new ArrayDeque<>();
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        for (String part : s.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    static byte[] bytes(String path) {
        return path.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String of(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** For messages: the bytes read as UTF-8, with a leading slash. */
    static String display(String path) {
        return "/" + new String(bytes(path), StandardCharsets.UTF_8);
    }
}
