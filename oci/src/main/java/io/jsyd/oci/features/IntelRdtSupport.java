package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.IntelRdtFeatures;

/** Intel RDT (resctrl): not supported. */
final class IntelRdtSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        IntelRdtFeatures rdt = new IntelRdtFeatures();
        rdt.setEnabled(false);
        rdt.setSchemata(false);
        rdt.setMonitoring(false);
        FeatureContribution.linux(document).setIntelRdt(rdt);
    }
}
