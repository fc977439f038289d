package io.jsyd.oci.convert;

import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.model.IOPriority;
import io.jsyd.oci.spec.model.Linux;
import io.jsyd.oci.spec.model.LinuxDevice;
import io.jsyd.oci.spec.model.LinuxIDMapping;
import io.jsyd.oci.spec.model.LinuxNamespace;
import io.jsyd.oci.spec.model.Mount;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.SchedulerFlag;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.User;
import io.jsyd.runtime.container.Capabilities;
import io.jsyd.runtime.container.Console;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.CpuAffinity;
import io.jsyd.runtime.container.DeviceNode;
import io.jsyd.runtime.container.IdMapping;
import io.jsyd.runtime.container.MountEntry;
import io.jsyd.runtime.container.Namespace;
import io.jsyd.runtime.container.NamespaceKind;
import io.jsyd.runtime.container.ProcessConfig;
import io.jsyd.runtime.container.Rlimit;
import io.jsyd.runtime.container.Scheduler;
import io.jsyd.runtime.container.TimeOffset;
import io.jsyd.runtime.linux.Capability;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.seccomp.SeccompFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where the OCI spec turns into the kernel's records (runc's
 * specconv). The spec has passed both validation stages; what is left here are the
 * things only conversion can find (an option jsyd-oci does not do yet, a name this
 * kernel does not know), each reported with its JSON path.
 */
public final class SpecConverter {
    /**
     * What the command line adds to the spec.
     *
     * @param extraEnv added to process.env (LISTEN_FDS and LISTEN_PID for passed sockets)
     */
    public record Options(String id, Path bundle, Path configFile, boolean noPivot, int keepFds,
                          ResourcesConverter.Driver cgroupDriver, List<String> extraEnv) {
        public Options {
            extraEnv = List.copyOf(extraEnv);
        }

        public Options(String id, Path bundle, Path configFile, boolean noPivot, int keepFds) {
            this(id, bundle, configFile, noPivot, keepFds, ResourcesConverter.Driver.CGROUPFS, List.of());
        }
    }

    /** The kernel's config and the warnings conversion gave (e.g. unknown capabilities). */
    public record Conversion(ContainerConfig config, List<SpecProblem> warnings) {
    }

    private final Options options;
    private final List<SpecProblem> errors = new ArrayList<>();
    private final List<SpecProblem> warnings = new ArrayList<>();

    private SpecConverter(Options options) {
        this.options = options;
    }

    public static Conversion convert(Spec spec, Options options) throws InvalidSpecException {
        return new SpecConverter(options).run(spec);
    }

    private void error(String path, String message) {
        errors.add(new SpecProblem(options.configFile(), path, message));
    }

    private void warn(String path, String message) {
        warnings.add(new SpecProblem(options.configFile(), path, message));
    }

    private Conversion run(Spec spec) throws InvalidSpecException {
        Linux linux = spec.getLinux() == null ? new Linux() : spec.getLinux();
        if (spec.getProcess() == null) {
            error("$.process", "required to run a container, but missing");
        }
        if (spec.getRoot() == null || spec.getRoot().getPath() == null) {
            error("$.root.path", "required, but missing");
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        Path rootfs = options.bundle().resolve(spec.getRoot().getPath()).normalize();
        List<Namespace> namespaces = namespaces(linux.getNamespaces());
        List<MountEntry> mounts = mounts(spec.getMounts(), namespaces);
        List<DeviceNode> devices = devices(linux.getDevices());
        SeccompConverter.Result seccomp = SeccompConverter.convert(linux.getSeccomp(), options.configFile());
        errors.addAll(seccomp.errors());
        warnings.addAll(seccomp.warnings());
        ProcessConfig process = process(spec.getProcess(), linux, seccomp.filter());
        // the container's "/" alone, not its submounts: runc maps the four names without MS_REC
        long rootPropagation = linux.getRootfsPropagation() == null ? 0 : switch (linux.getRootfsPropagation()) {
            case PRIVATE -> LinuxConstants.MS_PRIVATE;
            case SHARED -> LinuxConstants.MS_SHARED;
            case SLAVE -> LinuxConstants.MS_SLAVE;
            case UNBINDABLE -> LinuxConstants.MS_UNBINDABLE;
        };
        List<TimeOffset> offsets = new ArrayList<>();
        if (linux.getTimeOffsets() != null) {
            var t = linux.getTimeOffsets();
            if (t.getMonotonic() != null) {
                offsets.add(new TimeOffset("monotonic", zero(t.getMonotonic().getSecs()), zero(t.getMonotonic().getNanosecs())));
            }
            if (t.getBoottime() != null) {
                offsets.add(new TimeOffset("boottime", zero(t.getBoottime().getSecs()), zero(t.getBoottime().getNanosecs())));
            }
        }
        notYet(spec, linux);
        var cgroup = ResourcesConverter.convert(linux, options.id(), options.cgroupDriver(), this::error, this::warn);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        ContainerConfig config = new ContainerConfig(options.id(), rootfs,
                Boolean.TRUE.equals(spec.getRoot().getReadonly()), namespaces,
                idMaps(linux.getUidMappings()), idMaps(linux.getGidMappings()), offsets, mounts, devices,
                orEmpty(linux.getMaskedPaths()), orEmpty(linux.getReadonlyPaths()),
                orEmpty(spec.getHostname()), orEmpty(spec.getDomainname()),
                linux.getSysctl() == null ? Map.of() : linux.getSysctl(), rootPropagation, options.noPivot(),
                process, options.keepFds()).withCgroup(cgroup);
        return new Conversion(config, List.copyOf(warnings));
    }

    /** Fields the spec defines whose behaviour has not landed: an error, never silently ignored. */
    private void notYet(Spec spec, Linux linux) {
        if (linux.getNetDevices() != null && !linux.getNetDevices().getAdditionalProperties().isEmpty()) {
            error("$.linux.netDevices", "moving network devices is not supported by jsyd-oci yet");
        }
        if (linux.getMemoryPolicy() != null) {
            error("$.linux.memoryPolicy", "memory policies are not supported by jsyd-oci yet");
        }
        if (linux.getIntelRdt() != null) {
            error("$.linux.intelRdt", "Intel RDT is not supported by jsyd-oci yet");
        }
    }

    private static long zero(Long v) {
        return v == null ? 0 : v;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }

    private List<Namespace> namespaces(List<LinuxNamespace> list) {
        List<Namespace> result = new ArrayList<>();
        for (int i = 0; i < orEmpty(list).size(); i++) {
            LinuxNamespace n = list.get(i);
            NamespaceKind kind = switch (n.getType()) {
                case MOUNT -> NamespaceKind.MOUNT;
                case PID -> NamespaceKind.PID;
                case NETWORK -> NamespaceKind.NETWORK;
                case UTS -> NamespaceKind.UTS;
                case IPC -> NamespaceKind.IPC;
                case USER -> NamespaceKind.USER;
                case CGROUP -> NamespaceKind.CGROUP;
                case TIME -> NamespaceKind.TIME;
            };
            String path = n.getPath();
            result.add(new Namespace(kind, path == null || path.isEmpty() ? null : Path.of(path),
                    "linux.namespaces[" + i + "] (" + n.getType().value() + ")"));
        }
        return result;
    }

    private static List<IdMapping> idMaps(List<LinuxIDMapping> maps) {
        return orEmpty(maps).stream().map(m -> new IdMapping(m.getContainerID(), m.getHostID(), m.getSize())).toList();
    }

    /**
     * idmap/ridmap and the mount's own uidMappings/gidMappings (config.md "Mounts"): the
     * mount's maps, else the container's user namespace mapping, else an error.
     *
     * @param userns the container's user namespace: "new", "joined" or null
     */
    private MountEntry.IdMap idmap(String at, Mount m, MountOptions o, String userns) {
        boolean maps = m.getUidMappings() != null || m.getGidMappings() != null;
        if (!o.idmap() && !o.ridmap() && !maps) {
            return null;
        }
        String what = o.ridmap() ? "ridmap" : o.idmap() ? "idmap" : "uidMappings";
        if (!o.bind()) {
            error(at + ".options", "\"" + what + "\" on a mount that is not a bind mount is not supported by jsyd-oci yet");
            return null;
        }
        if (maps && (m.getUidMappings() == null || m.getGidMappings() == null)) {
            error(at + (m.getUidMappings() == null ? ".uidMappings" : ".gidMappings"),
                    "required with the other (config.md: uidMappings and gidMappings go together)");
            return null;
        }
        if (!maps && userns == null) {
            error(at + ".options", "\"" + what + "\" without uidMappings/gidMappings needs the container's user namespace,"
                    + " and the container has none");
            return null;
        }
        if (!maps && userns.equals("joined")) {
            error(at + ".options", "\"" + what + "\" with the mapping of a joined user namespace is not supported by"
                    + " jsyd-oci yet; give the mount uidMappings and gidMappings");
            return null;
        }
        return new MountEntry.IdMap(o.ridmap(), maps ? idMaps(m.getUidMappings()) : List.of(),
                maps ? idMaps(m.getGidMappings()) : List.of());
    }

    private List<MountEntry> mounts(List<Mount> list, List<Namespace> namespaces) {
        Namespace user = namespaces.stream().filter(n -> n.kind() == NamespaceKind.USER).findFirst().orElse(null);
        String userns = user == null ? null : user.isNew() ? "new" : "joined";
        List<MountEntry> result = new ArrayList<>();
        for (int i = 0; i < orEmpty(list).size(); i++) {
            Mount m = list.get(i);
            String at = "$.mounts[" + i + "]";
            MountOptions o = MountOptions.parse(m.getType(), m.getOptions());
            for (String u : o.unsupported()) {
                error(at + ".options", "\"" + u + "\" is not supported by jsyd-oci yet");
            }
            MountEntry.IdMap idmap = idmap(at, m, o, userns);
            String dest = m.getDestination();
            if (!dest.startsWith("/")) {
                // runc takes a relative destination as relative to the container's /
                warn(at + ".destination", "\"" + dest + "\" is relative; taken as /" + dest);
                dest = "/" + dest;
            }
            String source = orEmpty(m.getSource());
            if (o.bind() && !source.startsWith("/")) {
                source = options.bundle().resolve(source).normalize().toString();
            }
            String origin = "mounts[" + i + "] (destination " + m.getDestination() + ")";
            boolean tmpfs = !o.bind() && "tmpfs".equals(m.getType());
            if (o.copyUp() && !tmpfs) {
                // runc acts on it for tmpfs only and passes over it elsewhere
                warn(at + ".options", "\"tmpcopyup\" applies to tmpfs mounts only: ignored here");
            }
            result.add(new MountEntry(origin, Path.of(dest).normalize().toString(), source, orEmpty(m.getType()),
                    o.bind(), o.recursive(), o.flags(), o.propagation(), o.attrSet(), o.attrClr(), o.data(), idmap,
                    o.copyUp() && tmpfs));
        }
        return result;
    }

    private List<DeviceNode> devices(List<LinuxDevice> list) {
        List<DeviceNode> result = new ArrayList<>();
        for (int i = 0; i < orEmpty(list).size(); i++) {
            LinuxDevice d = list.get(i);
            char type = d.getType().charAt(0);
            result.add(new DeviceNode("linux.devices[" + i + "] (" + d.getPath() + ")", d.getPath(), type,
                    zero(d.getMajor()), zero(d.getMinor()), d.getFileMode() == null ? 0666 : d.getFileMode().intValue(),
                    zero(d.getUid()), zero(d.getGid())));
        }
        return result;
    }

    private ProcessConfig process(Process p, Linux linux, SeccompFilter seccomp) {
        User user = p.getUser() == null ? new User() : p.getUser();
        List<Rlimit> rlimits = new ArrayList<>();
        for (int i = 0; i < orEmpty(p.getRlimits()).size(); i++) {
            var r = p.getRlimits().get(i);
            Long resource = constant(r.getType());
            if (resource == null) {
                error("$.process.rlimits[" + i + "].type", "\"" + r.getType() + "\" is not a resource limit this kernel knows");
                continue;
            }
            rlimits.add(new Rlimit("process.rlimits[" + i + "] (" + r.getType() + ")", resource.intValue(),
                    r.getSoft().longValue(), r.getHard().longValue()));
        }
        Scheduler scheduler = null;
        if (p.getScheduler() != null) {
            var s = p.getScheduler();
            Long policy = constant(s.getPolicy().value());
            if (policy == null) {
                error("$.process.scheduler.policy", "\"" + s.getPolicy().value() + "\" is not supported by this kernel");
            }
            long flags = 0;
            for (SchedulerFlag f : orEmpty(s.getFlags())) {
                Long v = constant(f.value());
                if (v == null) {
                    error("$.process.scheduler.flags", "\"" + f.value() + "\" is not supported by this kernel");
                } else {
                    flags |= v;
                }
            }
            scheduler = new Scheduler(policy == null ? 0 : policy.intValue(), flags, (int) zero(s.getNice()),
                    (int) zero(s.getPriority()), zero(s.getRuntime()), zero(s.getDeadline()), zero(s.getPeriod()));
        }
        Integer ioPriority = null;
        if (p.getIoPriority() != null) {
            IOPriority io = p.getIoPriority();
            int cls = switch (io.getClass_()) {
                case IOPRIO_CLASS_RT -> 1;
                case IOPRIO_CLASS_BE -> 2;
                case IOPRIO_CLASS_IDLE -> 3;
            };
            ioPriority = (cls << 13) | (int) zero(io.getPriority());
        }
        Long personality = null;
        if (linux.getPersonality() != null && linux.getPersonality().getDomain() != null) {
            personality = switch (linux.getPersonality().getDomain()) {
                case LINUX -> LinuxConstants.PER_LINUX;
                case LINUX_32 -> LinuxConstants.PER_LINUX32;
            };
            if (!orEmpty(linux.getPersonality().getFlags()).isEmpty()) {
                error("$.linux.personality.flags", "personality flags are not supported by jsyd-oci yet");
            }
        }
        if (p.getApparmorProfile() != null && !p.getApparmorProfile().isEmpty()) {
            error("$.process.apparmorProfile", "AppArmor is not enabled on this host");
        }
        if (p.getSelinuxLabel() != null && !p.getSelinuxLabel().isEmpty()) {
            error("$.process.selinuxLabel", "SELinux is not enabled on this host");
        }
        Console console = null;
        if (Boolean.TRUE.equals(p.getTerminal())) {
            var size = p.getConsoleSize();
            console = size == null ? new Console(0, 0)
                    : new Console((int) zero(size.getHeight()), (int) zero(size.getWidth()));
        }
        List<String> args = orEmpty(p.getArgs());
        if (args.isEmpty()) {
            error("$.process.args", "at least one argument (the program) is required");
        }
        CpuAffinity affinity = null;
        if (p.getExecCPUAffinity() != null) {
            affinity = new CpuAffinity(CpuAffinity.parse(p.getExecCPUAffinity().getInitial()),
                    CpuAffinity.parse(p.getExecCPUAffinity().getFinal()));
        }
        List<String> env = new ArrayList<>(orEmpty(p.getEnv()));
        env.addAll(options.extraEnv());
        return new ProcessConfig(args, env, p.getCwd(), zero(user.getUid()), zero(user.getGid()),
                orEmpty(user.getAdditionalGids()), user.getUmask() == null ? null : user.getUmask().intValue(),
                capabilities(p.getCapabilities()), rlimits, Boolean.TRUE.equals(p.getNoNewPrivileges()),
                p.getOomScoreAdj() == null ? null : p.getOomScoreAdj().intValue(), scheduler, ioPriority, personality,
                affinity, console, seccomp);
    }

    private Capabilities capabilities(io.jsyd.oci.spec.model.Capabilities c) {
        if (c == null) {
            return new Capabilities(0, 0, 0, 0, 0);
        }
        long permitted = mask("permitted", c.getPermitted());
        long inheritable = mask("inheritable", c.getInheritable());
        long ambient = mask("ambient", c.getAmbient());
        // the kernel raises an ambient capability only when it is permitted and inheritable;
        // runc skips the others without a word, we say so
        long raisable = ambient & permitted & inheritable;
        for (int i = 0; i < orEmpty(c.getAmbient()).size(); i++) {
            Capability cap = Capability.byName(c.getAmbient().get(i));
            if (cap != null && (raisable & (1L << cap.number())) == 0) {
                warn("$.process.capabilities.ambient[" + i + "]", cap.name()
                        + " is not in both the permitted and the inheritable set; the kernel cannot make it ambient, skipped");
            }
        }
        return new Capabilities(mask("bounding", c.getBounding()), mask("effective", c.getEffective()),
                permitted, inheritable, raisable);
    }

    private long mask(String set, List<String> names) {
        long mask = 0;
        for (int i = 0; i < orEmpty(names).size(); i++) {
            Capability cap = Capability.byName(names.get(i));
            // one the kernel does not know is skipped: validation warned of it, as the spec wants
            // ("logged as a warning", runtimes "SHOULD NOT fail") and as runc does
            if (cap != null) {
                mask |= 1L << cap.number();
            }
        }
        return mask;
    }

    private static final Map<String, Long> CONSTANTS = constants();

    private static Map<String, Long> constants() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (var f : LinuxConstants.class.getFields()) {
            if (f.getType() == long.class) {
                try {
                    m.put(f.getName(), f.getLong(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Map.copyOf(m);
    }

    /** RLIMIT_*, SCHED_* and SCHED_FLAG_* by name, from the generated header constants. */
    private static Long constant(String name) {
        return name.startsWith("RLIMIT_") || name.startsWith("SCHED_") ? CONSTANTS.get(name) : null;
    }
}
