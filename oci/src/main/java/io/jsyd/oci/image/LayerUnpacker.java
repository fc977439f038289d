package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.image.store.BlobStore;
import io.jsyd.oci.image.tar.TarEntry;
import io.jsyd.oci.image.tar.TarReader;
import io.jsyd.oci.image.unpack.RootfsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.function.BooleanSupplier;

/**
 * Streams layers into a rootfs: blob, then its digest, then decompression,
 * then the uncompressed digest (the diff_id), then tar entries, in one pass.
 * Both digests are checked when the layer's last byte has been read; entries
 * already written by then live in the bundle's temporary directory, which the
 * caller removes on any failure.
 */
final class LayerUnpacker {
    private final BlobStore store;
    private final RootfsWriter writer;
    private final Limits limits;
    private final Progress progress;
    private final BooleanSupplier cancelled;
    private long bytes;
    private long entries;

    LayerUnpacker(BlobStore store, RootfsWriter writer, Limits limits, Progress progress, BooleanSupplier cancelled) {
        this.store = store;
        this.writer = writer;
        this.limits = limits;
        this.progress = progress;
        this.cancelled = cancelled;
    }

    long bytes() {
        return bytes;
    }

    long entries() {
        return entries;
    }

    void unpack(Layer layer, int index, int total) throws ImageException {
        String name = layer.blobDigest() != null ? layer.blobDigest().shortForm() : layer.diffId().shortForm();
        String what = "layer " + index + " of " + total + " (" + store.location(layer.path()) + ")";
        long size;
        try {
            size = layer.size() >= 0 ? layer.size() : store.size(layer.path());
        } catch (NoSuchFileException e) {
            throw new ImageException(what + ": the blob is missing");
        } catch (IOException e) {
            throw new ImageException(what + ": " + e.getMessage(), e);
        }
        progress.layer(index, total, name, size);
        try (InputStream raw = store.open(layer.path())) {
            long declared = layer.size();
            DigestStream blob = new DigestStream(raw, layer.blobDigest() == null ? null
                    : layer.blobDigest().newHasher(), new DigestStream.Meter() {
                        private long read;

                        @Override
                        public void add(long n) throws IOException {
                            read += n;
                            if (declared >= 0 && read > declared) {
                                throw new LimitException("the blob is larger than the " + declared
                                        + " bytes its descriptor says");
                            }
                            progress.advance(n);
                        }
                    });
            DigestStream tar = new DigestStream(Compression.decompress(blob), layer.diffId().newHasher(), n -> {
                bytes += n;
                if (bytes > limits.maxBytes()) {
                    throw new LimitException("the image unpacks to more than " + Progress.bytes(limits.maxBytes())
                            + " (--max-size)");
                }
            });
            TarReader reader = new TarReader(tar);
            writer.beginLayer();
            TarEntry e;
            while ((e = reader.next()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LimitException("the image has more than " + limits.maxEntries()
                            + " entries (--max-entries)");
                }
                if (cancelled.getAsBoolean()) {
                    throw new ImageException("interrupted");
                }
                writer.apply(e, reader);
            }
            tar.drain();
            blob.drain();
            if (declared >= 0 && blob.count() != declared) {
                throw new ImageException(what + ": the blob is " + blob.count() + " bytes, its descriptor says "
                        + declared);
            }
            if (layer.blobDigest() != null) {
                Digest actual = layer.blobDigest().of(blob.hasher());
                if (!actual.equals(layer.blobDigest())) {
                    throw Blobs.mismatch("layer " + index + " of " + total + ": blob", store.location(layer.path()),
                            layer.blobDigest(), actual);
                }
            }
            Digest diff = layer.diffId().of(tar.hasher());
            if (!diff.equals(layer.diffId())) {
                throw new ImageException(what + ": the uncompressed layer has digest " + diff
                        + ", the image config's diff_id is " + layer.diffId());
            }
        } catch (NoSuchFileException e) {
            throw new ImageException(what + ": the blob is missing");
        } catch (IOException e) {
            String message = e.getMessage() == null || e.getMessage().isBlank()
                    ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.io.EOFException) {
                message = "the blob ends early (truncated): " + message;
            }
            throw new ImageException(what + ": " + message, e);
        }
        progress.layerDone();
    }

    /** A limit the image goes over; stops the unpack. */
    static final class LimitException extends IOException {
        LimitException(String message) {
            super(message);
        }
    }
}
