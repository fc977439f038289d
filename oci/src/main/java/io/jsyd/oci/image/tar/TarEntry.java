package io.jsyd.oci.image.tar;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One member of a tar stream, after its PAX and GNU extension headers were
 * applied. Names, link targets and xattr values are raw bytes, as the archive
 * holds them: a tar name need not be UTF-8 and a security.capability value is
 * binary. {@code offset} is where the member's data starts in the stream.
 */
public record TarEntry(Type type, byte[] name, byte[] linkName, int mode, long uid, long gid, long size,
                       Instant mtime, Instant atime, int devMajor, int devMinor, Map<String, byte[]> xattrs,
                       long offset) {

    public enum Type {
        FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO
    }

    public TarEntry {
        xattrs = Map.copyOf(xattrs);
    }

    /** The name for messages (invalid UTF-8 shows as U+FFFD). */
    public String displayName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public String displayLinkName() {
        return new String(linkName, StandardCharsets.UTF_8);
    }
}
