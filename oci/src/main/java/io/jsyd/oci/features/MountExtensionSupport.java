package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.EnabledFeature;
import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.MountExtensionsFeatures;

/** Id-mapped bind mounts (a mount's uidMappings/gidMappings, idmap and ridmap). */
final class MountExtensionSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        MountExtensionsFeatures extensions = new MountExtensionsFeatures();
        EnabledFeature idmap = new EnabledFeature();
        idmap.setEnabled(true);
        extensions.setIdmap(idmap);
        FeatureContribution.linux(document).setMountExtensions(extensions);
    }
}
