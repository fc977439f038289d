package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/**
 * Lifecycle hooks: all six kinds run (the hooks module; createContainer and
 * startContainer by the init stub, inside the container).
 */
final class HookSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setHooks(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                "poststop"));
    }
}
