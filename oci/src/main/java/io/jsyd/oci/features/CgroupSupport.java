package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.CgroupFeatures;
import io.jsyd.oci.spec.model.Features;

/**
 * Cgroup managers: cgroupfs for v1 (and the hybrid layout) and for v2, rdma
 * limits on both; no systemd driver (--systemd-cgroup is refused with an error).
 */
final class CgroupSupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        CgroupFeatures cgroup = new CgroupFeatures();
        cgroup.setV1(true);
        cgroup.setV2(true);
        cgroup.setSystemd(false);
        cgroup.setSystemdUser(false);
        cgroup.setRdma(true);
        FeatureContribution.linux(document).setCgroup(cgroup);
    }
}
