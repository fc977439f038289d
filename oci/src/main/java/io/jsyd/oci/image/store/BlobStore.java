package io.jsyd.oci.image.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * The files of an image source, by their relative paths ("index.json",
 * "blobs/sha256/..."): a directory, or a tar archive read in place.
 */
public interface BlobStore extends Closeable {
    /** Forward slashes, no empty, "." or ".." parts, not absolute. */
    Pattern SAFE = Pattern.compile("(?!/)(?!.*//)(?!.*(^|/)\\.\\.?(/|$))[^\\x00]+(?<!/)");

    /** Whether a regular file (after links) is at {@code path}. */
    boolean exists(String path) throws IOException;

    /** Opens the file; a missing one is a NoSuchFileException naming {@link #location}. */
    InputStream open(String path) throws IOException;

    /** The file's size in bytes. */
    long size(String path) throws IOException;

    /** The file for a message: "/images/x/blobs/sha256/ab..." or "x.tar:blobs/sha256/ab...". */
    String location(String path);

    /** A relative path that cannot leave the store; anything else is a bug of the caller. */
    static String checked(String path) {
        if (!SAFE.matcher(path).matches()) {
            throw new IllegalArgumentException("not a safe relative path: " + path);
        }
        return path;
    }

    static boolean isSafe(String path) {
        return SAFE.matcher(path).matches();
    }
}
