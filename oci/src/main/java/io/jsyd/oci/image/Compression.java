package io.jsyd.oci.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Layer compression, told by the stream's first bytes rather than by a media
 * type: Docker archives carry no media types, and a layer's digest already
 * pins its bytes, so sniffing cannot be fooled into anything a media type
 * would have prevented.
 */
public enum Compression {
    NONE, GZIP, ZSTD;

    private static final int BUFFER = 1 << 16;

    /** The stream's compression; {@code in} must support mark/reset. */
    static Compression sniff(InputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            throw new IOException("bzip2-compressed layers are not supported (tar, gzip, zstd are)");
        }
        if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
                && head[4] == 'Z' && head[5] == 0) {
            throw new IOException("xz-compressed layers are not supported (tar, gzip, zstd are)");
        }
        return NONE;
    }

    /** The decompressed content of {@code raw}, whatever of the three it is. */
    static InputStream decompress(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, BUFFER);
        return switch (sniff(in)) {
            // Concatenated members are one stream, as Go's gzip reader (and thus every image tool) reads them.
            case GZIP -> new BufferedInputStream(GzipCompressorInputStream.builder().setInputStream(in)
                    .setDecompressConcatenated(true).get(), BUFFER);
            case ZSTD -> new BufferedInputStream(new ZstdCompressorInputStream(in), BUFFER);
            case NONE -> in;
        };
    }
}
