package io.jsyd.oci.features;

import io.jsyd.oci.convert.SeccompConverter;
import io.jsyd.oci.spec.model.Features;
import io.jsyd.oci.spec.model.SeccompAction;
import io.jsyd.oci.spec.model.SeccompArch;
import io.jsyd.oci.spec.model.SeccompFeatures;
import io.jsyd.oci.spec.model.SeccompFlag;
import io.jsyd.oci.spec.model.SeccompOperator;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.seccomp.FilterFlag;
import io.jsyd.runtime.seccomp.Libseccomp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Seccomp filters from the config, compiled with the system's libseccomp. Every
 * list is what the library (and, for the newer actions and the flags, the running
 * kernel) says it can build: a name listed here converts, a name left out would
 * be refused. Without libseccomp, seccomp is off and nothing is recognized.
 */
final class SeccompSupport implements FeatureContribution {
    /** What jsyd-oci can do with {@code linux.seccomp} on this host. */
    record Facts(boolean enabled, List<SeccompAction> actions, List<SeccompOperator> operators, List<SeccompArch> archs,
                 List<SeccompFlag> knownFlags, List<SeccompFlag> supportedFlags) {
        static final Facts NONE = new Facts(false, List.of(), List.of(), List.of(), List.of(), List.of());

        /** Asks the library and the kernel. */
        static Facts probe() {
            Optional<Libseccomp> loaded = Libseccomp.load();
            if (loaded.isEmpty()) {
                return NONE;
            }
            Libseccomp lib = loaded.get();
            List<SeccompAction> actions = new ArrayList<>();
            for (SeccompAction a : SeccompAction.values()) {
                if (lib.accepts(SeccompConverter.kernelAction(a, Errno.EPERM.number()))) {
                    actions.add(a);
                }
            }
            List<SeccompOperator> operators = new ArrayList<>();
            for (SeccompOperator o : SeccompOperator.values()) {
                if (lib.accepts(SeccompConverter.kernelOperator(o))) {
                    operators.add(o);
                }
            }
            List<SeccompArch> archs = new ArrayList<>();
            for (SeccompArch a : SeccompArch.values()) {
                if (lib.architectureError(SeccompConverter.libseccompArchitecture(a.value())) == 0) {
                    archs.add(a);
                }
            }
            List<SeccompFlag> known = List.of(SeccompFlag.values());
            List<SeccompFlag> supported = new ArrayList<>();
            for (SeccompFlag f : SeccompFlag.values()) {
                FilterFlag flag = SeccompConverter.kernelFlag(f);
                // TSYNC has nothing to do for a single-threaded init, so it always works
                if (flag == null || lib.kernelAccepts(flag)) {
                    supported.add(f);
                }
            }
            return new Facts(true, actions, operators, archs, known, supported);
        }
    }

    private final Supplier<Facts> facts;

    SeccompSupport() {
        this(Facts::probe);
    }

    SeccompSupport(Supplier<Facts> facts) {
        this.facts = facts;
    }

    @Override
    public void addTo(Features document) {
        Facts f = facts.get();
        SeccompFeatures seccomp = new SeccompFeatures();
        seccomp.setEnabled(f.enabled());
        seccomp.setActions(f.actions());
        seccomp.setOperators(f.operators());
        seccomp.setArchs(f.archs());
        seccomp.setKnownFlags(f.knownFlags());
        seccomp.setSupportedFlags(f.supportedFlags());
        FeatureContribution.linux(document).setSeccomp(seccomp);
    }
}
