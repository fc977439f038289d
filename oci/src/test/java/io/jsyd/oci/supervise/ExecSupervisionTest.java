package io.jsyd.oci.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Main;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * `exec` into a container with a sandbox policy: the process gets the init's
 * filters and Landlock, and the supervisor daemon of the --root answers its
 * notifications and traces it, for a container made by create/start and for one a
 * foreground `run` hosts alike.
 */
@Tag("root")
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecSupervisionTest {
    private static final String POLICY = "trace/allow_unsafe_memory:0\n" + SupervisorDaemonTest.POLICY;

    @TempDir
    static Path probes;

    @BeforeAll
    static void prerequisites() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        TracedCreateTest.probes = probes;
        TracedCreateTest.probe = TracedCreateTest.buildProbe();
        assumeTrue(TracedCreateTest.probe != null, "needs gcc and a static glibc to build the probe");
        Processes.becomeSubreaper();
    }

    @RegisterExtension
    final MadeContainers made = new MadeContainers();

    private String id(Path root, String name) {
        return made.id(root, name);
    }

    /** Execs a denied read and a W^X mapping into the container and checks both were refused and logged. */
    private static void execIsConfined(Path dir, Path root, String id) throws Exception {
        Cli.Result r = Cli.run(root, "--root", root.toString(), "exec", id, "sh", "-c",
                "exec 2> /out/x-sh-err; cat /etc/open > /out/x-open; cat /etc/secret > /out/x-secret 2> /out/x-err; echo $? > /out/x-rc;"
                        + " /probe wx-mmap > /out/x-wx; /probe rw-mmap > /out/x-rw");
        StringBuilder outs = new StringBuilder();
        for (String f : List.of("x-open", "x-secret", "x-err", "x-rc", "x-wx", "x-rw", "x-sh-err")) {
            outs.append(f).append('=').append(TracedCreateTest.read(dir, f)).append(' ');
        }
        assertEquals(0, r.status(), r.err() + outs + (Files.exists(new SupervisorPaths(root).log()) ? Files.readString(new SupervisorPaths(root).log()) : "(no daemon log)"));
        assertEquals("visible", TracedCreateTest.read(dir, "x-open"));
        assertEquals("", TracedCreateTest.read(dir, "x-secret"));
        assertEquals("1", TracedCreateTest.read(dir, "x-rc"));
        assertTrue(TracedCreateTest.read(dir, "x-err").contains("Permission denied"), TracedCreateTest.read(dir, "x-err"));
        assertEquals("errno 13", TracedCreateTest.read(dir, "x-wx"));
        assertEquals("ok", TracedCreateTest.read(dir, "x-rw"));
        List<JsonNode> d = TracedCreateTest.decisions(root, id);
        assertTrue(d.stream().anyMatch(n -> n.get("path") != null && n.get("path").asString().equals("/etc/secret")
                && n.get("action").asString().equals("deny")), d.toString());
        assertTrue(d.stream().anyMatch(n -> n.get("category").asString().equals("memory")), d.toString());
        String daemonLog = Files.readString(new SupervisorPaths(root).log());
        assertTrue(daemonLog.contains("supervising process " + id + "/exec-"), daemonLog);
    }

    @Test
    void aProcessExecdIntoACreatedContainerIsSupervisedByTheDaemon(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "xs-create");
        Path bundle = TracedCreateTest.bundle(dir, "touch /out/ready; exec sleep 60", POLICY);
        Path pidFile = dir.resolve("pid");
        Cli.Result created = SupervisorDaemonTest.external(root, "create", "-b", bundle.toString(), "--pid-file",
                pidFile.toString(), id);
        assertEquals(0, created.status(), created.err());
        assertEquals(0, Cli.run(root, "--root", root.toString(), "start", id).status());
        TracedCreateTest.waitFor(dir.resolve("out/ready"));
        execIsConfined(dir, root, id);
    }

    @Test
    void aProcessExecdIntoAContainerUnderLandlockGetsTheInitsDomain(@TempDir Path dir) throws Exception {
        assumeTrue(io.jsyd.runtime.landlock.LandlockProbe.system().probe().abi() >= 6,
                "needs Landlock ABI 6 for the default scopes");
        Path root = dir.resolve("root");
        String id = id(root, "xs-lock");
        // Landlock alone: no daemon, the kernel confines the exec'd process as it does the init
        Path bundle = TracedCreateTest.bundle(dir, "touch /out/ready; exec sleep 60", "sandbox/lock:on\n"
                + "allow/lock/read,readdir,exec+/bin\nallow/lock/read,write,create+/out\n"
                + "allow/lock/read,write+/dev/null\nallow/lock/read+/etc/open\n");
        Cli.Result created = SupervisorDaemonTest.external(root, "create", "-b", bundle.toString(), id);
        assertEquals(0, created.status(), created.err());
        assertEquals(0, Cli.run(root, "--root", root.toString(), "start", id).status());
        TracedCreateTest.waitFor(dir.resolve("out/ready"));
        Cli.Result r = Cli.run(root, "--root", root.toString(), "exec", id, "sh", "-c",
                "cat /etc/open > /out/l-open; cat /etc/secret > /out/l-secret 2>/dev/null; echo $? > /out/l-rc");
        assertEquals(0, r.status(), r.err());
        assertEquals("visible", TracedCreateTest.read(dir, "l-open"));
        assertEquals("", TracedCreateTest.read(dir, "l-secret"));
        assertEquals("1", TracedCreateTest.read(dir, "l-rc"), "Landlock refuses what it does not grant");
        assertTrue(Files.notExists(new SupervisorPaths(root).dir()), "Landlock needs no daemon");
    }

    @Test
    void aProcessExecdIntoAForegroundRunIsSupervisedByTheDaemonOfItsRoot(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        String id = id(root, "xs-run");
        Path bundle = TracedCreateTest.bundle(dir, "touch /out/ready; sleep 60", POLICY);
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--root", root.toString(), "run", "-b", bundle.toString(), id));
        Process run = new ProcessBuilder(c).redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve("run.out").toFile()).redirectError(dir.resolve("run.err").toFile()).start();
        try {
            TracedCreateTest.waitFor(dir.resolve("out/ready"));
            // run records the state before the container's first command, as runc's run does
            Cli.Result state = Cli.run(root, "--root", root.toString(), "state", id);
            assertEquals(0, state.status(), state.err());
            execIsConfined(dir, root, id);
        } finally {
            Cli.run(root, "--root", root.toString(), "kill", id, "KILL");
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        }
    }
}
