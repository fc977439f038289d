package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/** Lifecycle hooks: none run yet (the hooks module is not wired into a lifecycle). */
final class HookSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setHooks(List.of());
    }
}
