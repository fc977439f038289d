package io.jsyd.oci.image;

import java.util.Map;

/** An OCI content descriptor: what a blob is, its digest and size, and where it runs. */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
                         Map<String, String> annotations) {
    public Descriptor {
        mediaType = mediaType == null ? "" : mediaType;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
