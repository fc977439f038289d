package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.EnabledFeature;
import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.LinuxFeatures;

/** AppArmor profiles and SELinux labels: not applied. */
final class LsmSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        LinuxFeatures linux = FeatureContribution.linux(document);
        linux.setApparmor(disabled());
        linux.setSelinux(disabled());
    }

    static EnabledFeature disabled() {
        EnabledFeature feature = new EnabledFeature();
        feature.setEnabled(false);
        return feature;
    }
}
