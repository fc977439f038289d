package io.jsyd.oci.image;

import java.util.List;

/** The image chosen from a source: its configuration and its layers, bottom first. */
public record ResolvedImage(String description, ImageConfig config, List<Layer> layers) {
    public ResolvedImage {
        layers = List.copyOf(layers);
    }
}
