package io.jsyd.oci.features;

import io.jsyd.oci.convert.MountOptions;
import io.jsyd.oci.spec.model.Features;

/** Mount options turned into mount flags, propagation, attributes or id maps (convert/MountOptions). */
final class MountOptionSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setMountOptions(MountOptions.recognized());
    }
}
