package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.landlock.LandlockProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** `jsyd-oci run` of containers whose policy annotation turns Landlock on. */
@Tag("root")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LandlockRunTest {
    private static final String RULES = """
            sandbox/lock:on
            allow/lock/read,readdir,exec+/bin
            allow/lock/read,write,create+/out
            allow/lock/read,write+/dev/null
            allow/lock/read+/etc/open
            """;

    @BeforeAll
    static void prerequisites() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(Files.isExecutable(SeccompBundle.BUSYBOX), "needs busybox-static at /bin/busybox");
        assumeTrue(LandlockProbe.system().probe().abi() >= 6,
                "needs Landlock ABI 6: " + LandlockProbe.system().probe().describe());
    }

    private static SeccompBundle bundle(Path dir, String script, String policy) throws Exception {
        // no OCI filter: Landlock alone confines (the runc spec has noNewPrivileges)
        SeccompBundle b = SeccompBundle.create(dir, SeccompBundle.BUSYBOX, null, script);
        ((ObjectNode) b.config.get("linux")).remove("seccomp");
        Files.writeString(dir.resolve("rootfs/etc/secret"), "hidden\n");
        Files.writeString(dir.resolve("rootfs/etc/open"), "visible\n");
        b.config.putObject("annotations").put(PolicySource.POLICY_ANNOTATION, policy);
        b.write();
        return b;
    }

    private static Cli.Result run(SeccompBundle b, String id, Path log) throws Exception {
        Path root = Files.createDirectories(b.dir.resolve("state"));
        return Cli.run(b.dir, "--root", root.toString(), "--log", log.toString(), "run", "-b", b.dir.toString(), id);
    }

    @Test
    void readsOutsideTheRulesFailAndWhatBestEffortSkipsIsLogged(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "cat /etc/open > /out/open; cat /etc/secret > /out/secret 2> /out/err;"
                + " echo $? > /out/rc", RULES + "allow/lock/read+/opt/none\ndefault/lock:warn\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "ll-read-" + ProcessHandle.current().pid(), log);
        assertEquals(0, r.status(), r.err());
        assertEquals("visible", b.read("open"));
        assertEquals("", b.read("secret"));
        assertEquals("1", b.read("rc"));
        assertTrue(b.read("err").contains("Permission denied"), b.read("err"));
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("{\"time\"")).toList();
        assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(log)));
        ObjectNode line = (ObjectNode) SpecJson.mapper().readTree(lines.getFirst());
        assertEquals("lock", line.get("category").asString());
        String note = line.get("note").asString();
        assertTrue(note.startsWith("allow/lock/read+/opt/none (annotation " + PolicySource.POLICY_ANNOTATION + " in ")
                && note.contains(":6): /opt/none: ENOENT"), note);
    }

    @Test
    void landlockBacksTheSupervisorUpWhereItsRulesAllow(@TempDir Path dir) throws Exception {
        assumeTrue(io.jsyd.runtime.seccomp.Libseccomp.load().isPresent(),
                io.jsyd.runtime.seccomp.Libseccomp.unavailableReason());
        SeccompBundle b = bundle(dir, "cat /etc/open > /out/open; cat /etc/secret > /out/secret 2> /out/err;"
                + " echo $? > /out/rc", RULES + "sandbox/read:on\nallow/read+/***\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "ll-both-" + ProcessHandle.current().pid(), log);
        assertEquals(0, r.status(), r.err());
        assertEquals("visible", b.read("open"));
        assertEquals("1", b.read("rc"), "the supervisor allows it, Landlock does not");
        assertTrue(b.read("err").contains("Permission denied"), b.read("err"));
        assertTrue(Files.notExists(log) || Files.readAllLines(log).stream().noneMatch(l -> l.startsWith("{\"time\"")),
                "a silent allow of the supervisor: no line");
    }

    @Test
    void aStrictRuleWhosePathIsMissingStopsTheStartAndNamesTheRule(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "echo ran > /out/ran", RULES + "allow/lock/read+/opt/none\n");
        String id = "ll-strict-" + ProcessHandle.current().pid();
        Cli.Result r = run(b, id, dir.resolve("sandbox.log"));
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("allow/lock/read+/opt/none") && r.err().contains(":6)"), r.err());
        assertEquals("<missing>", b.read("ran"));
        assertTrue(Files.notExists(dir.resolve("state").resolve(id)), "nothing left behind");
    }
}
