package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.NamespaceType;
import java.util.Arrays;

/** Namespace types that can be created or joined: all eight (runtime/container/NamespaceKind). */
final class NamespaceSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        FeatureContribution.linux(document).setNamespaces(Arrays.asList(NamespaceType.values()));
    }
}
