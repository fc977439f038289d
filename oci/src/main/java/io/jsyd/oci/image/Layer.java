package io.jsyd.oci.image;

/**
 * One layer to unpack: where its blob is in the source, the digest and size
 * the blob must have (null and -1 where the source records none, as in a
 * Docker archive's layer.tar), and the digest its uncompressed tar must have.
 */
public record Layer(String path, String mediaType, Digest blobDigest, long size, Digest diffId) {
}
