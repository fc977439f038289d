package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/**
 * Config annotations that change what the runtime does. None yet; the sandbox
 * policy annotations will be listed here when they take effect.
 */
final class ConfigAnnotationSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setPotentiallyUnsafeConfigAnnotations(List.of());
    }
}
