package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.LinuxFeatures;

/**
 * One area's entries in the features document. The document must list only what
 * jsyd-oci really does, so the issue that implements an area changes that area's
 * contribution and nothing else.
 */
@FunctionalInterface
public interface FeatureContribution {
    void addTo(Features document);

    /** The document's {@code linux} object, created on first use. */
    static LinuxFeatures linux(Features document) {
        if (document.getLinux() == null) {
            document.setLinux(new LinuxFeatures());
        }
        return document.getLinux();
    }
}
