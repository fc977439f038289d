package io.jsyd.oci.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts what is read through it, and refuses to read past a
 * limit: the hash of a layer is known the moment its last byte is unpacked.
 */
final class DigestStream extends FilterInputStream {
    /** Called with the count of bytes just read (progress, budgets); may throw to stop the read. */
    interface Meter {
        void add(long n) throws IOException;
    }

    private final MessageDigest hasher;
    private final Meter meter;
    private long count;

    DigestStream(InputStream in, MessageDigest hasher, Meter meter) {
        super(in);
        this.hasher = hasher;
        this.meter = meter;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            if (hasher != null) {
                hasher.update(b, off, n);
            }
            count += n;
            meter.add(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Every byte must pass through the hash.
        byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
        long done = 0;
        while (done < n) {
            int k = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (k < 0) {
                break;
            }
            done += k;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end (what follows a tar's end marker is part of the digest too). */
    void drain() throws IOException {
        byte[] buf = new byte[1 << 16];
        while (read(buf, 0, buf.length) >= 0) {
            // hashed and counted by read
        }
    }

    long count() {
        return count;
    }

    MessageDigest hasher() {
        return hasher;
    }
}
