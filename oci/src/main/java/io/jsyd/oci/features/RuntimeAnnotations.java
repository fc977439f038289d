package io.jsyd.oci.features;

import io.jsyd.oci.spec.model.Features;
import io.jsyd.runtime.landlock.LandlockSupport;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Informational annotations about this runtime. Our own keys live under
 * {@code io.jsyd.oci.}; libseccomp's version uses the key runc established, so
 * tools that already read it from runc find it here too.
 */
final class RuntimeAnnotations implements FeatureContribution {
    static final String VERSION = "io.jsyd.oci.version";
    static final String LIBSECCOMP_VERSION = "io.github.seccomp.libseccomp.version";
    /** The kernel's Landlock ABI (0: none), which decides what a policy's lock rules get. */
    static final String LANDLOCK_ABI = "io.jsyd.oci.landlock.abi";

    private final String runtimeVersion;
    private final Optional<String> libseccompVersion;
    private final Optional<LandlockSupport> landlock;

    RuntimeAnnotations(String runtimeVersion, Optional<String> libseccompVersion, Optional<LandlockSupport> landlock) {
        this.runtimeVersion = runtimeVersion;
        this.libseccompVersion = libseccompVersion;
        this.landlock = landlock;
    }

    @Override
    public void addTo(Features document) {
        Map<String, String> annotations = new TreeMap<>();
        if (document.getAnnotations() != null) {
            annotations.putAll(document.getAnnotations());
        }
        annotations.put(VERSION, runtimeVersion);
        libseccompVersion.ifPresent(v -> annotations.put(LIBSECCOMP_VERSION, v));
        landlock.ifPresent(l -> annotations.put(LANDLOCK_ABI, Integer.toString(l.abi())));
        document.setAnnotations(annotations);
    }
}
