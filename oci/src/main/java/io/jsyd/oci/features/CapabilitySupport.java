package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/** Capability names applied to the container process: none yet. */
final class CapabilitySupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        FeatureContribution.linux(document).setCapabilities(List.of());
    }
}
