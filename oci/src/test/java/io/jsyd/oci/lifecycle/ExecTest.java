package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `exec` into real containers made by create/start in this JVM (the subreaper, as conmon is). */
@Tag("root")
class ExecTest {
    private static final String RUN = Long.toHexString(System.nanoTime());
    private static final String ID = "ex-" + RUN;

    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
        Processes.becomeSubreaper();
    }

    private final List<Path> roots = new ArrayList<>();

    @AfterEach
    void deleteEverything() {
        for (Path root : roots) {
            Cli.run(root, "--root", root.toString(), "delete", "--force", ID);
        }
    }

    /** A running container whose init runs {@code script}; returns the root. */
    private Path running(Path dir, String script) throws Exception {
        Path root = dir.resolve("root");
        roots.add(root);
        Path bundle = LifecycleTest.bundle(dir, script);
        // the exec'd processes below run as other users too
        Files.setPosixFilePermissions(dir.resolve("out"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli.Result c = Cli.run(dir, "--root", root.toString(), "create", "-b", bundle.toString(), ID);
        assertEquals(0, c.status(), c.err());
        Cli.Result s = Cli.run(dir, "--root", root.toString(), "start", ID);
        assertEquals(0, s.status(), s.err());
        return root;
    }

    private static Cli.Result exec(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of("--root", root.toString(), "exec"));
        a.addAll(List.of(args));
        return Cli.run(root.getParent(), a.toArray(String[]::new));
    }

    private static int initPid(Path root) throws Exception {
        Cli.Result r = Cli.run(root, "--root", root.toString(), "state", ID);
        assertEquals(0, r.status(), r.err());
        return io.jsyd.oci.spec.SpecJson.mapper().readTree(r.out()).get("pid").asInt();
    }

    @Test
    void detachedProcessSharesEveryNamespaceAndTheCgroupOfTheInit(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exec sleep 60");
        Path pidFile = dir.resolve("exec.pid");
        Cli.Result r = exec(root, "-d", "--pid-file", pidFile.toString(), ID, "sleep", "30");
        assertEquals(0, r.status(), r.err());
        int pid = Integer.parseInt(Files.readString(pidFile).strip());
        int init = initPid(root);
        try {
            assertNotEquals(init, pid);
            for (String ns : List.of("user", "ipc", "uts", "net", "pid", "cgroup", "mnt")) {
                assertEquals(Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/" + ns)),
                        Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)), ns);
            }
            // the container has its own pid namespace: the host's differs
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")),
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")));
            assertEquals(Files.readString(Path.of("/proc/" + init + "/cgroup")),
                    Files.readString(Path.of("/proc/" + pid + "/cgroup")));
            // a child of the caller, as the exec'd process of runc is
            assertEquals(Processes.self(), ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid());
        } finally {
            Processes.signalIfAlive(pid, 9);
            Processes.waitFor(pid);
        }
    }

    @Test
    void foregroundProcessTakesCwdEnvAndUserAndReturnsItsStatus(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exec sleep 60");
        Cli.Result r = exec(root, "--cwd", "/tmp", "-e", "FOO=bar", "--user", "1000:1001", ID,
                "sh", "-c", "echo $(pwd) $FOO $PATH > /out/r; exit 7");
        assertEquals(7, r.status(), r.err());
        Path out = dir.resolve("out/r");
        String line = Files.readString(out).strip();
        assertTrue(line.startsWith("/tmp bar /"), line);
        assertEquals(1000, Files.getAttribute(out, "unix:uid"));
        assertEquals(1001, Files.getAttribute(out, "unix:gid"));
        assertEquals(137, exec(root, ID, "sh", "-c", "kill -9 $$").status());
    }

    /** runc's statuses: a process that could not be started is 255, not a status the process could give. */
    @Test
    void anExecThatCannotStartExits255(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exec sleep 60");
        Cli.Result missing = exec(root, ID, "/no/such/program");
        assertEquals(255, missing.status(), missing.err());
        // podman turns "no such file or directory" into its own 127
        assertTrue(missing.err().contains("no such file or directory"), missing.err());
        Cli.Result cwd = exec(root, "--cwd", "/no/such/dir", ID, "true");
        assertEquals(255, cwd.status(), cwd.err());
        assertEquals(255, exec(root, "other-" + ID, "true").status());
    }

    @Test
    void processFileIsTheWholeProcess(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exec sleep 60");
        Path process = dir.resolve("process.json");
        Files.writeString(process, """
                {"args": ["sh", "-c", "echo $X $(pwd) > /out/p"], "env": ["X=fromfile", "PATH=/bin"],
                 "cwd": "/out", "user": {"uid": 0, "gid": 0}}
                """);
        Cli.Result r = exec(root, "--process", process.toString(), ID);
        assertEquals(0, r.status(), r.err());
        assertEquals("fromfile /out", Files.readString(dir.resolve("out/p")).strip());
    }

    @Test
    void noNewPrivsAndCapsReachTheProcess(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exec sleep 60");
        Cli.Result r = exec(root, "--no-new-privs", "--cap", "CAP_SYS_ADMIN", ID,
                "sh", "-c", "cat /proc/self/status > /out/status");
        assertEquals(0, r.status(), r.err());
        String status = Files.readString(dir.resolve("out/status"));
        assertTrue(status.contains("NoNewPrivs:\t1"), status);
        long eff = Long.parseLong(status.lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow()
                .substring(7).strip(), 16);
        assertTrue((eff & (1L << 21)) != 0, "CAP_SYS_ADMIN effective: " + Long.toHexString(eff));
        Cli.Result plain = exec(root, ID, "sh", "-c", "cat /proc/self/status > /out/plain");
        assertEquals(0, plain.status(), plain.err());
        String p = Files.readString(dir.resolve("out/plain"));
        long plainEff = Long.parseLong(p.lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow()
                .substring(7).strip(), 16);
        assertEquals(0, plainEff & (1L << 21), "the config's default set has no CAP_SYS_ADMIN");
    }

    @Test
    void stoppedAndMissingContainersAreRefused(@TempDir Path dir) throws Exception {
        Path root = running(dir, "exit 0");
        for (int i = 0; i < 500; i++) {
            Cli.Result s = Cli.run(root, "--root", root.toString(), "state", ID);
            if (s.out().contains("\"stopped\"")) {
                break;
            }
            Thread.sleep(10);
        }
        Cli.Result stopped = exec(root, ID, "true");
        assertNotEquals(0, stopped.status());
        assertTrue(stopped.err().contains("cannot exec in a stopped container"), stopped.err());
        Cli.Result missing = exec(root, "nope-" + RUN, "true");
        assertNotEquals(0, missing.status());
        assertTrue(missing.err().contains("container nope-" + RUN + " does not exist"), missing.err());
    }
}
