package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import java.util.List;
import java.util.Optional;

/** The features document, assembled from one contribution per area. */
public final class FeatureSet {
    private final List<FeatureContribution> contributions;

    public FeatureSet(List<FeatureContribution> contributions) {
        this.contributions = List.copyOf(contributions);
    }

    /**
     * What this build of jsyd-oci implements. The runtime facts feed the
     * informational annotations and the seccomp lists, which are what the system's
     * libseccomp can build (and the kernel load); everything else is fixed by the
     * code, as the spec asks (the document describes the runtime, not the host).
     */
    public static FeatureSet current(String runtimeVersion, Optional<String> libseccompVersion) {
        return current(runtimeVersion, libseccompVersion, Optional.empty());
    }

    /** As above, with the kernel's Landlock ABI among the annotations. */
    public static FeatureSet current(String runtimeVersion, Optional<String> libseccompVersion,
            Optional<io.jsyd.runtime.landlock.LandlockSupport> landlock) {
        return new FeatureSet(List.of(
                new SpecVersionSupport(),
                new HookSupport(),
                new MountOptionSupport(),
                new ConfigAnnotationSupport(),
                new NamespaceSupport(),
                new CapabilitySupport(),
                new CgroupSupport(),
                new SeccompSupport(),
                new LsmSupport(),
                new MemoryPolicySupport(),
                new IntelRdtSupport(),
                new MountExtensionSupport(),
                new NetDeviceSupport(),
                new RuntimeAnnotations(runtimeVersion, libseccompVersion, landlock)));
    }

    public List<FeatureContribution> contributions() {
        return contributions;
    }

    /** A new document each call: the model classes are mutable. */
    public Features document() {
        Features document = new Features();
        for (FeatureContribution contribution : contributions) {
            contribution.addTo(document);
        }
        return document;
    }
}
