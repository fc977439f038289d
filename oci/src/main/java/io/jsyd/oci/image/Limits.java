package io.jsyd.oci.image;

/**
 * Bounds on what an image may unpack to, against decompression bombs: the
 * uncompressed bytes of all layers together, and their entries.
 */
public record Limits(long maxBytes, long maxEntries) {
    /** 64 GiB and ten million entries: above any real image, below a full disk's worth of surprise. */
    public static final Limits DEFAULT = new Limits(64L << 30, 10_000_000L);

    public Limits {
        if (maxBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
