package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.image.store.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;

/** Reads the small JSON blobs of an image (indexes, manifests, configs), verified against their descriptors. */
final class Blobs {
    /** Bigger JSON documents are refused: real configs with long histories stay well below this. */
    static final int MAX_JSON = 16 << 20;

    private Blobs() {
    }

    /** Reads an unverifiable file of the source (index.json, manifest.json). */
    static byte[] read(BlobStore store, String path, String what) throws ImageException {
        try (InputStream in = store.open(path)) {
            byte[] data = in.readNBytes(MAX_JSON + 1);
            if (data.length > MAX_JSON) {
                throw new ImageException(what + " " + store.location(path) + " is larger than " + MAX_JSON + " bytes");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new ImageException(what + " " + store.location(path) + " is missing");
        } catch (IOException e) {
            throw new ImageException("read " + what + " " + store.location(path) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a blob and checks it against its digest and, when known (size
     * {@code >= 0}), its size. A mismatch names the blob and both digests.
     */
    static byte[] readVerified(BlobStore store, String path, Digest digest, long size, String what)
            throws ImageException {
        if (size > MAX_JSON) {
            throw new ImageException(what + " " + digest + " is " + size + " bytes, larger than " + MAX_JSON);
        }
        byte[] data = read(store, path, what);
        if (size >= 0 && data.length != size) {
            throw new ImageException(what + " " + store.location(path) + " is " + data.length
                    + " bytes, its descriptor says " + size);
        }
        MessageDigest hasher = digest.newHasher();
        hasher.update(data);
        Digest actual = digest.of(hasher);
        if (!actual.equals(digest)) {
            throw mismatch(what, store.location(path), digest, actual);
        }
        return data;
    }

    static ImageException mismatch(String what, String location, Digest expected, Digest actual) {
        return new ImageException(what + " " + location + " is corrupt: its content has digest " + actual
                + ", expected " + expected);
    }
}
