package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.convert.ResourcesConverter;
import io.jsyd.oci.convert.SpecConverter;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.spec.model.Capabilities;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.User;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.container.ContainerConfig;
import io.jsyd.runtime.container.ExecLauncher;
import io.jsyd.runtime.container.HostView;
import io.jsyd.runtime.container.Namespace;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.linux.UnixSocket;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.ProcessParent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.jsyd.oci.supervise.PolicyRecord;
import io.jsyd.oci.supervise.SupervisorPaths;
import io.jsyd.runtime.policy.Policy;

/**
 * `exec`: one more process in a running container, in all its namespaces and its
 * cgroup. The process is the config's with the command line's changes, or a
 * process.json; it is built as runc builds it (utils_linux.go getProcess) and then
 * converted like the config's own, so capabilities, no_new_privs, rlimits and the
 * seccomp filter come out the same way.
 */
public final class Exec {
    /**
     * @param process  --process FILE, or null to take the config's process with {@code args}
     * @param user     "uid[:gid]" or null
     * @param tty      -t when given (null: process.json's or the config's terminal stays)
     * @param keepFds  fds above stderr the process inherits: $LISTEN_FDS plus --preserve-fds
     * @param cgroups  --cgroup values: sub-cgroups of the container's (see {@link ExecCgroups})
     */
    public record Options(Path root, String id, Path process, List<String> args, List<String> env, String cwd,
                          String user, List<Long> additionalGids, List<String> caps, Boolean noNewPrivs,
                          Boolean tty, Path consoleSocket, boolean detach, Path pidFile, int keepFds,
                          boolean ignorePaused, String apparmor, String processLabel, List<String> cgroups) {
        public Options {
            args = List.copyOf(args);
            env = List.copyOf(env);
            additionalGids = List.copyOf(additionalGids);
            caps = List.copyOf(caps);
            cgroups = List.copyOf(cgroups);
        }

        /** In the container's own cgroup. */
        public Options(Path root, String id, Path process, List<String> args, List<String> env, String cwd,
                       String user, List<Long> additionalGids, List<String> caps, Boolean noNewPrivs,
                       Boolean tty, Path consoleSocket, boolean detach, Path pidFile, int keepFds,
                       boolean ignorePaused, String apparmor, String processLabel) {
            this(root, id, process, args, env, cwd, user, additionalGids, caps, noNewPrivs, tty, consoleSocket, detach,
                    pidFile, keepFds, ignorePaused, apparmor, processLabel, List.of());
        }
    }

    private static final Duration CONSOLE_DRAIN = Duration.ofSeconds(2);

    private Exec() {
    }

    /** The process's exit status in the foreground (128+N on signal N), 0 when detached. */
    public static int exec(Request request, Options o) throws OciException {
        return exec(request, o, null);
    }

    /** As {@link #exec(Request, Options)}, the process's stdio from {@code stdio} instead of ours. */
    public static int exec(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio) throws OciException {
        int r = exec(request, o, stdio, null, null);
        return o.detach() ? 0 : r;
    }

    /** An exec'd process whose policy the caller supervises: its pid and its watch (null without a policy). */
    public record Hosted(int pid, HostedSandbox.Watch watch) {
    }

    /**
     * A detached exec whose process gets the container's policy (its filters and
     * Landlock, as the init got them) supervised in this process by {@code sandbox}
     * (null: the container has no policy). The caller closes the watch once the
     * process is gone.
     */
    public static Hosted execHosted(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio,
                                    HostedSandbox sandbox) throws OciException {
        if (!o.detach()) {
            throw new IllegalArgumentException("a hosted exec is detached");
        }
        HostedSandbox.Watch watch = sandbox == null ? null : sandbox.watch(false);
        try {
            return new Hosted(exec(request, o, stdio, sandbox, watch), watch);
        } catch (OciException | RuntimeException e) {
            if (watch != null) {
                watch.close();
            }
            throw e;
        }
    }

    /**
     * The exit status in the foreground, the pid when detached. With {@code hosted}
     * the caller supervises the container's policy (the containerd shim); without it
     * the supervisor daemon of the --root does, as it does the init's.
     */
    private static int exec(Request request, Options o, io.jsyd.runtime.spawn.Stdio stdio, HostedSandbox hosted,
                            HostedSandbox.Watch watch) throws OciException {
        StateStore store = new StateStore(o.root());
        ContainerRecord r = store.read(o.id());
        CgroupManager cgroup = StateStore.cgroup(r);
        Status status = Status.of(r, store.dir(o.id()), cgroup);
        if (status == Status.STOPPED) {
            throw new ContainerStateException("cannot exec in a stopped container");
        }
        if (status == Status.PAUSED && !o.ignorePaused()) {
            throw new ContainerStateException("cannot exec in a paused container (use --ignore-paused to override)");
        }
        if (!o.cgroups().isEmpty() && cgroup == null) {
            throw new UsageException("exec --cgroup: container " + o.id() + " has no cgroup");
        }
        java.util.Collection<Path> cgroupDirs = ExecCgroups.resolve(o.cgroups(), r.cgroupPaths()).values();
        Path bundle = Path.of(r.bundle());
        LoadedSpec loaded = new SpecReader().readBundle(bundle);
        Spec spec = loaded.spec();
        spec.setProcess(process(o, spec.getProcess()));
        boolean terminal = Boolean.TRUE.equals(spec.getProcess().getTerminal());
        if (terminal && o.consoleSocket() == null && o.detach()) {
            throw new UsageException("cannot allocate tty if runc will detach without setting console socket");
        }
        if (!terminal && o.consoleSocket() != null) {
            throw new UsageException("cannot use console socket if runc will not allocate tty");
        }
        SpecConverter.Conversion conversion = SpecConverter.convert(spec, new SpecConverter.Options(o.id(), bundle,
                loaded.file(), false, o.keepFds(), ResourcesConverter.Driver.CGROUPFS, List.of()));
        // no warnings: create printed the config's already, and runc's exec prints none either
        ContainerConfig config = Keyrings.forExec(conversion.config(), r.noNewKeyring());
        List<Namespace> join;
        try {
            join = ExecLauncher.namespacesOf(r.pid());
        } catch (IOException e) {
            throw new OciIoException("read the namespaces of the container's init", Path.of("/proc/" + r.pid() + "/ns"), e);
        }
        java.util.function.IntConsumer joinCgroup = cgroup == null ? null : o.cgroups().isEmpty() ? cgroup::join
                : pid -> io.jsyd.runtime.cgroup.Cgroups.enter(cgroupDirs, pid);
        java.util.function.ObjIntConsumer<Fd> agent = SeccompAgent.handoff(spec, o.id(), bundle);
        Launched launched = hosted != null
                ? launchHosted(o, config, join, joinCgroup, agent, hosted, watch, stdio)
                : launchUnderDaemon(store, o, r, config, join, joinCgroup, agent, stdio);
        int pid = launched.initPid();
        Fd master = null;
        for (int i = 0; i < launched.fds().size(); i++) {
            Fd fd = launched.fds().get(i);
            if (launched.fdSources().get(i) == OpCode.CONSOLE && o.consoleSocket() == null && !o.detach()) {
                master = fd;
                continue;
            }
            if (launched.fdSources().get(i) == OpCode.CONSOLE) {
                try (UnixSocket s = UnixSocket.connect(o.consoleSocket())) {
                    s.sendWithFd("/dev/ptmx".getBytes(StandardCharsets.UTF_8), fd);
                } catch (KernelException e) {
                    fd.close();
                    Processes.signalIfAlive(pid, 9);
                    ProcessParent.current().waitFor(pid);
                    throw new ContainerFailedException(o.id(), e);
                }
            }
            fd.close();
        }
        try {
            if (o.pidFile() != null) {
                ForegroundRun.writePidFile(o.pidFile(), pid);
            }
        } catch (OciException e) {
            Processes.signalIfAlive(pid, 9);
            ProcessParent.current().waitFor(pid);
            throw e;
        }
        if (o.detach()) {
            return pid;
        }
        return waitFor(request, pid, master);
    }

    private static Launched launchHosted(Options o, ContainerConfig config, List<Namespace> join,
                                         java.util.function.IntConsumer joinCgroup,
                                         java.util.function.ObjIntConsumer<Fd> agent, HostedSandbox hosted,
                                         HostedSandbox.Watch watch, io.jsyd.runtime.spawn.Stdio stdio)
            throws OciException {
        try (InitStub stub = InitStub.load()) {
            return new ExecLauncher(stub, HostView.system()).launch(hosted.apply(config), join, joinCgroup, agent,
                    watch::onListener, watch::onTrace, stdio);
        } catch (KernelException e) {
            throw new ContainerFailedException(o.id(), e);
        }
    }

    /**
     * The container's sandbox policy confines this process as it does the init: the
     * same filters and Landlock, and the supervisor daemon of the --root answers and
     * traces it.
     */
    private static Launched launchUnderDaemon(StateStore store, Options o, ContainerRecord r, ContainerConfig config,
                                              List<Namespace> join, java.util.function.IntConsumer joinCgroup,
                                              java.util.function.ObjIntConsumer<Fd> agent,
                                              io.jsyd.runtime.spawn.Stdio stdio) throws OciException {
        Path stateDir = store.dir(o.id());
        Optional<Policy> policy = PolicyRecord.read(stateDir);
        Launched launched;
        try (Sandbox sandbox = Sandbox.recorded(o.id(), policy, policy.isPresent() ? sandboxLog(stateDir)
                : new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
             DaemonHandoff supervised = new DaemonHandoff(o.root(), o.id(), stateDir, policy, r.cgroupPaths(), true);
             InitStub stub = InitStub.load()) {
            launched = new ExecLauncher(stub, HostView.system()).launch(sandbox.apply(config), join, joinCgroup,
                    agent, supervised::handOff, supervised::trace, stdio);
            sandbox.launched(launched);
            try {
                supervised.handOffIfStill(launched.initPid());
            } catch (RuntimeException e) {
                supervised.close();
                Processes.signalIfAlive(launched.initPid(), 9);
                ProcessParent.current().waitFor(launched.initPid());
                launched.fds().forEach(Fd::close);
                throw e;
            }
        } catch (KernelException e) {
            throw new ContainerFailedException(o.id(), e);
        }
        return launched;
    }

    /** The container's sandbox log, where what applying the policy notes goes (Landlock's best effort). */
    private static java.io.PrintStream sandboxLog(Path stateDir) throws OciIoException {
        Path file = stateDir.resolve(SupervisorPaths.SANDBOX_LOG);
        try {
            return new java.io.PrintStream(new java.io.FileOutputStream(file.toFile(), true), true,
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new OciIoException("open the sandbox log", file, e);
        }
    }

    private static int waitFor(Request request, int pid, Fd master) {
        try (ConsoleRelay console = master == null ? null : ConsoleRelay.start(master, request);
             SignalForwarder forwarder = SignalForwarder.to(pid, console == null ? null : console::resize)) {
            int status = ProcessParent.current().waitFor(pid).exitCode();
            if (console != null) {
                console.drain(CONSOLE_DRAIN);
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Processes.signalIfAlive(pid, 9);
            ProcessParent.current().waitFor(pid);
            throw new IllegalStateException("interrupted while the exec'd process ran", e);
        }
    }

    /** The process to run, as runc's exec makes it from the config's and the flags. */
    static Process process(Options o, Process base) throws OciException {
        Process p;
        if (o.process() != null) {
            p = new SpecReader().readProcess(o.process());
        } else {
            if (o.args().isEmpty()) {
                throw new UsageException("exec: no command given (args, or --process FILE)");
            }
            p = base == null ? new Process() : base;
            p.setArgs(new ArrayList<>(o.args()));
            // the config's terminal belongs to the init; an exec'd process has one only with -t
            p.setTerminal(false);
            p.setConsoleSize(null);
        }
        if (o.cwd() != null) {
            p.setCwd(o.cwd());
        }
        if (p.getCwd() == null || p.getCwd().isEmpty()) {
            p.setCwd("/");
        }
        if (!o.env().isEmpty()) {
            List<String> env = p.getEnv() == null ? new ArrayList<>() : new ArrayList<>(p.getEnv());
            env.addAll(o.env());
            p.setEnv(env);
        }
        if (o.tty() != null) {
            p.setTerminal(o.tty());
        }
        if (o.noNewPrivs() != null) {
            p.setNoNewPrivileges(o.noNewPrivs());
        }
        if (!o.caps().isEmpty()) {
            Capabilities c = p.getCapabilities() == null ? new Capabilities() : p.getCapabilities();
            c.setBounding(plus(c.getBounding(), o.caps()));
            c.setEffective(plus(c.getEffective(), o.caps()));
            c.setPermitted(plus(c.getPermitted(), o.caps()));
            c.setInheritable(plus(c.getInheritable(), o.caps()));
            c.setAmbient(plus(c.getAmbient(), o.caps()));
            p.setCapabilities(c);
        }
        if (o.user() != null || !o.additionalGids().isEmpty()) {
            User u = p.getUser() == null ? new User() : p.getUser();
            if (o.user() != null) {
                String[] parts = o.user().split(":", -1);
                try {
                    u.setUid(Long.parseLong(parts[0]));
                    if (parts.length > 1) {
                        u.setGid(Long.parseLong(parts[1]));
                    }
                    if (parts.length > 2) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new UsageException("--user takes uid[:gid] in numbers: " + o.user());
                }
            }
            if (!o.additionalGids().isEmpty()) {
                List<Long> gids = u.getAdditionalGids() == null ? new ArrayList<>() : new ArrayList<>(u.getAdditionalGids());
                gids.addAll(o.additionalGids());
                u.setAdditionalGids(gids);
            }
            p.setUser(u);
        }
        if (o.apparmor() != null) {
            p.setApparmorProfile(o.apparmor());
        }
        if (o.processLabel() != null) {
            p.setSelinuxLabel(o.processLabel());
        }
        return p;
    }

    private static List<String> plus(List<String> a, List<String> b) {
        List<String> r = a == null ? new ArrayList<>() : new ArrayList<>(a);
        for (String s : b) {
            String name = s.toUpperCase(java.util.Locale.ROOT).startsWith("CAP_") ? s.toUpperCase(java.util.Locale.ROOT)
                    : "CAP_" + s.toUpperCase(java.util.Locale.ROOT);
            if (!r.contains(name)) {
                r.add(name);
            }
        }
        return r;
    }
}
