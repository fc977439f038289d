package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.MemoryPolicyFeatures;
import java.util.List;

/** NUMA memory policy (linux.memoryPolicy): not applied, no mode or flag recognized. */
final class MemoryPolicySupport implements FeatureContribution {
    @Override
    public void addTo(Features document) {
        MemoryPolicyFeatures policy = new MemoryPolicyFeatures();
        policy.setModes(List.of());
        policy.setFlags(List.of());
        FeatureContribution.linux(document).setMemoryPolicy(policy);
    }
}
