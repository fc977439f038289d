package io.jsyd.oci.validate;

import io.jsyd.oci.spec.model.Spec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Stage two of validation: semantic checks on a config that already passed the
 * JSON schema. Each check names the config field by its JSON path and says why
 * the value cannot work (an error) or will not do what it seems to (a warning).
 * The checks follow runtime-spec 1.3 and, where the spec leaves room, what runc
 * does; they read the bundle directory but probe nothing else on the host.
 */
public final class SpecValidator {
    /** In the order of the fields in config.json, so problems come out in that order. */
    private static final List<SpecCheck> CHECKS = List.of(
            VersionCheck::ociVersion,
            RootCheck::root,
            MountChecks::destinations,
            MountChecks::idMappings,
            MountChecks::bindOptions,
            ProcessChecks::present,
            ProcessChecks::cwd,
            ProcessChecks::args,
            ProcessChecks::env,
            ProcessChecks::user,
            ProcessChecks::consoleSize,
            ProcessChecks::oomScoreAdj,
            ProcessChecks::rlimits,
            CapabilityChecks::names,
            CapabilityChecks::subsets,
            SchedulingChecks::scheduler,
            SchedulingChecks::ioPriority,
            SchedulingChecks::execCpuAffinity,
            NamespaceChecks::userMapped,
            UtsChecks::hostname,
            UtsChecks::domainname,
            HookChecks::hooks,
            AnnotationChecks::keys,
            NamespaceChecks::duplicates,
            NamespaceChecks::paths,
            NamespaceChecks::userNamespace,
            NamespaceChecks::timeOffsets,
            DeviceChecks::devices,
            NetDeviceChecks::netDevices,
            CgroupChecks::cgroupsPath,
            CgroupChecks::memorySwap,
            IntelRdtCheck::intelRdt,
            MemoryPolicyCheck::memoryPolicy,
            SysctlCheck::sysctl,
            SeccompChecks::seccomp,
            NamespaceChecks::pathLists,
            PersonalityCheck::personality);

    private SpecValidator() {
    }

    /**
     * @param bundleDir  the bundle, absolute (relative paths in the config resolve against it)
     * @param configFile the file the problems are reported against
     * @param spec       the config, bound after it passed JSON-schema validation
     */
    public static ValidationReport validate(Path bundleDir, Path configFile, Spec spec) {
        Objects.requireNonNull(bundleDir, "bundleDir");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(spec, "spec");
        // A relative bundle would resolve against the JVM's directory, not the caller's.
        if (!bundleDir.isAbsolute()) {
            throw new IllegalArgumentException("bundle directory must be absolute: " + bundleDir);
        }
        Context ctx = new Context(bundleDir, configFile, spec);
        Problems out = new Problems(configFile);
        for (SpecCheck check : CHECKS) {
            check.check(ctx, out);
        }
        return out.report();
    }
}
