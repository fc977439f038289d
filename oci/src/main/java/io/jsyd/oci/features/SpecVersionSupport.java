package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;

/** The two required fields: the range of config versions jsyd-oci accepts. */
final class SpecVersionSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setOciVersionMin(SpecVersions.MIN);
        document.setOciVersionMax(SpecVersions.MAX);
    }
}
