package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/** Mount options that are turned into mount flags: none yet, nothing mounts. */
final class MountOptionSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setMountOptions(List.of());
    }
}
