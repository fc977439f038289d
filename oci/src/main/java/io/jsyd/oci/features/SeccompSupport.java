package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.SeccompFeatures;
import java.util.List;

/** Seccomp filters from the config: not loaded yet, so nothing is recognized. */
final class SeccompSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        SeccompFeatures seccomp = new SeccompFeatures();
        seccomp.setEnabled(false);
        seccomp.setActions(List.of());
        seccomp.setOperators(List.of());
        seccomp.setArchs(List.of());
        seccomp.setKnownFlags(List.of());
        seccomp.setSupportedFlags(List.of());
        FeatureContribution.linux(document).setSeccomp(seccomp);
    }
}
