package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.runtime.linux.Capability;
import java.util.Arrays;

/** Capability names applied to the container process: those the build's kernel headers define. */
final class CapabilitySupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        FeatureContribution.linux(document).setCapabilities(Arrays.stream(Capability.values()).map(Enum::name).toList());
    }
}
