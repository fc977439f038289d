package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.CgroupFeatures;
import io.jsyd.oci.spec.model.Features;

/** Cgroup managers: none yet, no container gets a cgroup. */
final class CgroupSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        CgroupFeatures cgroup = new CgroupFeatures();
        cgroup.setV1(false);
        cgroup.setV2(false);
        cgroup.setSystemd(false);
        cgroup.setSystemdUser(false);
        cgroup.setRdma(false);
        FeatureContribution.linux(document).setCgroup(cgroup);
    }
}
