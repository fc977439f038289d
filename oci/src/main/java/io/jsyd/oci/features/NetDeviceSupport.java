package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;

/** Moving host network devices into the container (linux.netDevices): not supported. */
final class NetDeviceSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        FeatureContribution.linux(document).setNetDevices(LsmSupport.disabled());
    }
}
