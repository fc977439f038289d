package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.MountExtensionsFeatures;

/** Id-mapped mounts (a mount's uidMappings/gidMappings): not supported yet. */
final class MountExtensionSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        MountExtensionsFeatures extensions = new MountExtensionsFeatures();
        extensions.setIdmap(LsmSupport.disabled());
        FeatureContribution.linux(document).setMountExtensions(extensions);
    }
}
