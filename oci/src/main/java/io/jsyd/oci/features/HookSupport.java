package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;

/**
 * Lifecycle hooks that run: the runtime-namespace kinds. createContainer and
 * startContainer run inside the container (the init stub would exec them) and are
 * refused by the converter until they do.
 */
final class HookSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        document.setHooks(List.of("prestart", "createRuntime", "poststart", "poststop"));
    }
}
