package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerFailedException;
import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.convert.ResourcesConverter;
import io.jsyd.oci.convert.SpecConverter;
import io.jsyd.oci.spec.LoadedSpec;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.SpecReader;
import io.jsyd.oci.validate.SpecValidator;
import io.jsyd.oci.validate.ValidationReport;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.cgroup.Cgroups;
import io.jsyd.runtime.container.ContainerLauncher;
import io.jsyd.runtime.container.HostView;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.ObjIntConsumer;

/**
 * `run` in the foreground: validate, convert, claim the id, start the container as
 * a child of this process, forward signals to it, wait, and remove everything it
 * made. The exit status is the container's (128+N when signal N killed it).
 */
public final class ForegroundRun {
    /**
     * @param keepFds fds above stderr the container inherits: $LISTEN_FDS plus --preserve-fds
     */
    public record Options(Path root, String id, Path bundle, boolean noPivot, int keepFds, Path pidFile,
                          boolean subreaper, boolean systemdCgroup) {
    }

    private ForegroundRun() {
    }

    public static int run(Request request, Options o) throws OciException {
        String id = ContainerId.check(o.id());
        LoadedSpec loaded = new SpecReader().readBundle(o.bundle());
        ValidationReport report = SpecValidator.validate(o.bundle(), loaded.file(), loaded.spec());
        warn(request, report.warnings());
        if (!report.ok()) {
            throw new InvalidSpecException(report.errors());
        }
        ResourcesConverter.Driver driver = o.systemdCgroup()
                ? new ResourcesConverter.Driver(true, Files.isDirectory(Path.of("/run/systemd/system")))
                : ResourcesConverter.Driver.CGROUPFS;
        SpecConverter.Conversion conversion = SpecConverter.convert(loaded.spec(),
                new SpecConverter.Options(id, o.bundle(), loaded.file(), o.noPivot(), o.keepFds(), driver));
        warn(request, conversion.warnings());
        try (StateDir state = StateDir.claim(o.root(), id); InitStub stub = InitStub.load()) {
            if (o.subreaper()) {
                Processes.becomeSubreaper();
            }
            // refuses what this host's cgroups cannot do before anything is made
            CgroupManager cgroup = Cgroups.manager(conversion.config().cgroup());
            int status;
            try {
                status = runInit(stub, conversion, cgroup, o, SeccompAgent.handoff(loaded.spec(), id, o.bundle()));
            } catch (OciException | RuntimeException e) {
                try {
                    cgroup.destroy();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            try {
                // stragglers of a container without its own pid namespace die here
                cgroup.destroy();
            } catch (KernelException e) {
                request.err().println("jsyd-oci: warning: container " + id + ": " + e.getMessage());
            }
            return status;
        } catch (KernelException e) {
            throw new ContainerFailedException(id, e);
        }
    }

    private static int runInit(InitStub stub, SpecConverter.Conversion conversion, CgroupManager cgroup, Options o,
                               ObjIntConsumer<Fd> seccompListener) throws OciException {
        Launched launched = new ContainerLauncher(stub, HostView.system()).launch(conversion.config(), cgroup,
                seccompListener);
        // the seccomp agent has its own copy of the listener now
        launched.fds().forEach(Fd::close);
        int pid = launched.initPid();
        try (SignalForwarder forwarder = SignalForwarder.to(pid)) {
            if (o.pidFile() != null) {
                writePidFile(o.pidFile(), pid);
            }
            return Processes.waitFor(pid).exitCode();
        } catch (OciException | RuntimeException e) {
            Processes.signalIfAlive(pid, 9);
            Processes.waitFor(pid);
            throw e;
        }
    }

    private static void warn(Request request, List<SpecProblem> warnings) {
        for (SpecProblem w : warnings) {
            request.err().println("jsyd-oci: warning: " + w.format());
        }
    }

    /** Written whole or not at all, as runc does: a reader never sees a partial pid. */
    static void writePidFile(Path file, int pid) throws OciIoException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, Integer.toString(pid));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new OciIoException("write pid file", file, e);
        }
    }
}
