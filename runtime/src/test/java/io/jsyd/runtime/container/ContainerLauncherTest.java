package io.jsyd.runtime.container;

import static io.jsyd.runtime.linux.LinuxConstants.MS_NODEV;
import static io.jsyd.runtime.linux.LinuxConstants.MS_NOEXEC;
import static io.jsyd.runtime.linux.LinuxConstants.MS_NOSUID;
import static io.jsyd.runtime.linux.LinuxConstants.MS_RDONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("root")
class ContainerLauncherTest {
    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
    }

    /** Every capability this runtime holds (root here lacks some, e.g. CAP_SYS_RESOURCE). */
    private static final long ALL_CAPS = heldCapabilities();

    private static long heldCapabilities() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                    .mapToLong(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16)).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ContainerConfig config(Path rootfs, Path out, List<String> args, List<Namespace> extra) {
        List<Namespace> ns = new ArrayList<>(List.of(
                new Namespace(NamespaceKind.MOUNT, null, "linux.namespaces[0]"),
                new Namespace(NamespaceKind.PID, null, "linux.namespaces[1]"),
                new Namespace(NamespaceKind.UTS, null, "linux.namespaces[2]"),
                new Namespace(NamespaceKind.IPC, null, "linux.namespaces[3]")));
        ns.addAll(extra);
        List<MountEntry> mounts = List.of(
                new MountEntry("mounts[0]", "/proc", "proc", "proc", false, false, MS_NOSUID | MS_NOEXEC | MS_NODEV, List.of(), 0, 0, ""),
                new MountEntry("mounts[1]", "/dev", "tmpfs", "tmpfs", false, false, MS_NOSUID, List.of(), 0, 0, "mode=755,size=65536k"),
                new MountEntry("mounts[2]", "/dev/pts", "devpts", "devpts", false, false, MS_NOSUID | MS_NOEXEC, List.of(), 0, 0, "newinstance,ptmxmode=0666,mode=0620"),
                new MountEntry("mounts[3]", "/out", out.toString(), "", true, true, 0, List.of(), 0, 0, ""),
                new MountEntry("mounts[4]", "/ro", out.toString(), "", true, false, MS_RDONLY, List.of(), 0, 0, ""));
        ProcessConfig p = new ProcessConfig(args, List.of("PATH=/bin", "HOME=/"), "/", 0, 0, List.of(), 022,
                new Capabilities(ALL_CAPS, ALL_CAPS, ALL_CAPS, 0, 0), List.of(), false, null, null, null, null, null, null, null);
        return new ContainerConfig("t", rootfs, false, ns, List.of(), List.of(), List.of(), mounts, List.of(),
                List.of("/proc/version"), List.of("/proc/sys"), "box", "", Map.of(), 0, false, p, 0);
    }

    private static int run(ContainerConfig c) {
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c);
            return Processes.waitFor(l.initPid()).exitCode();
        }
    }

    @Test
    void runsAShellInsideTheRootfs(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        String script = "echo $$ > /out/pid; hostname > /out/hostname; ls /dev > /out/dev;"
                + " readlink /dev/stdout > /out/stdout; touch /ro/x 2> /out/ro-err; echo $? > /out/ro-rc;"
                + " cat /proc/version > /out/kcore 2>&1; echo $? >> /out/kcore;"
                + " touch /proc/sys/x 2>/dev/null; echo $? > /out/procsys; ls / > /out/root";
        int status = run(config(rootfs, out, List.of("sh", "-c", script), List.of()));
        assertEquals(0, status);
        assertEquals("1", Files.readString(out.resolve("pid")).strip());
        assertEquals("box", Files.readString(out.resolve("hostname")).strip());
        String dev = Files.readString(out.resolve("dev"));
        for (String d : List.of("null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "fd", "stdin")) {
            assertTrue(dev.lines().anyMatch(d::equals), d + " missing in /dev: " + dev);
        }
        assertEquals("/proc/self/fd/1", Files.readString(out.resolve("stdout")).strip());
        assertEquals("1", Files.readString(out.resolve("ro-rc")).strip(), "/ro must be read-only");
        assertEquals("0", Files.readString(out.resolve("kcore")).strip(), "masked /proc/version reads as empty");
        assertEquals("1", Files.readString(out.resolve("procsys")).strip());
        assertTrue(Files.readString(out.resolve("root")).lines().anyMatch("bin"::equals));
    }

    @Test
    void exitStatusAndSignalsComeBack(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        assertEquals(3, run(config(rootfs, out, List.of("sh", "-c", "exit 3"), List.of())));
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system())
                    .launch(config(rootfs, out, List.of("sleep", "100"), List.of()));
            Processes.kill(l.initPid(), 9);
            assertEquals(128 + 9, Processes.waitFor(l.initPid()).exitCode());
        }
    }

    @Test
    void aUserNamespaceGetsItsMaps(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig base = config(rootfs, out, List.of("sh", "-c", "cat /proc/self/uid_map > /out/map; id -u > /out/uid"),
                List.of(new Namespace(NamespaceKind.USER, null, "linux.namespaces[4]")));
        ContainerConfig c = new ContainerConfig(base.id(), base.rootfs(), false, base.namespaces(),
                List.of(new IdMapping(0, 100000, 65536)), List.of(new IdMapping(0, 100000, 65536)), List.of(),
                base.mounts(), List.of(), List.of(), List.of(), "box", "", Map.of(), 0, false, base.process(), 0);
        // the mapped root must be able to reach the rootfs
        Files.walk(dir).forEach(p -> {
            try {
                Files.setAttribute(p, "unix:uid", 100000);
                Files.setAttribute(p, "unix:gid", 100000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertEquals(0, run(c));
        assertEquals("0 100000 65536", Files.readString(out.resolve("map")).strip().replaceAll("\\s+", " "));
        assertEquals("0", Files.readString(out.resolve("uid")).strip());
    }

    private static ContainerConfig withCwd(ContainerConfig base, String cwd, List<String> args) {
        ProcessConfig p = base.process();
        ProcessConfig q = new ProcessConfig(args, p.env(), cwd, 0, 0, List.of(), null, p.capabilities(),
                List.of(), false, null, null, null, null, null, null, null);
        return new ContainerConfig("t", base.rootfs(), false, base.namespaces(), List.of(), List.of(), List.of(),
                base.mounts(), List.of(), List.of(), List.of(), "", "", Map.of(), 0, false, q, 0);
    }

    @Test
    void aMissingCwdIsMadeAsRuncMakesIt(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig c = withCwd(config(rootfs, out, List.of(), List.of()), "/new/cwd",
                List.of("sh", "-c", "pwd > /out/pwd"));
        assertEquals(0, run(c));
        assertEquals("/new/cwd", Files.readString(out.resolve("pwd")).strip());
        assertTrue(Files.isDirectory(rootfs.resolve("new/cwd")));
    }

    @Test
    void aCwdThatIsAFileNamesTheField(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig c = withCwd(config(rootfs, out, List.of(), List.of()), "/etc/passwd", List.of("true"));
        InitStubException e = assertThrows(InitStubException.class, () -> run(c));
        assertEquals("process.cwd: open /etc/passwd: ENOTDIR (not a directory)", e.getMessage());
    }
}
