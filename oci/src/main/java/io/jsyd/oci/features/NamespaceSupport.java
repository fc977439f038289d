package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/** Namespace types that can be created or joined: none yet. */
final class NamespaceSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        FeatureContribution.linux(document).setNamespaces(List.of());
    }
}
