package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** `jsyd-oci run` of containers whose annotations carry a sandbox policy. */
@Tag("root")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PolicyRunTest {
    @BeforeAll
    static void prerequisites() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(Files.isExecutable(SeccompBundle.BUSYBOX), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
    }

    /** A busybox bundle with an allow-all OCI filter (so both filters run) and these annotations. */
    private static SeccompBundle bundle(Path dir, String script, String... annotations) throws Exception {
        ObjectNode allowAll = (ObjectNode) SpecJson.mapper().readTree("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
        SeccompBundle b = SeccompBundle.create(dir, SeccompBundle.BUSYBOX, allowAll, script);
        Files.writeString(dir.resolve("rootfs/etc/secret"), "hidden\n");
        Files.writeString(dir.resolve("rootfs/etc/open"), "visible\n");
        ObjectNode a = b.config.putObject("annotations");
        for (int i = 0; i < annotations.length; i += 2) {
            a.put(annotations[i], annotations[i + 1]);
        }
        b.write();
        return b;
    }

    private static Cli.Result run(SeccompBundle b, String id, Path log) throws Exception {
        Path root = Files.createDirectories(b.dir.resolve("state"));
        return Cli.run(b.dir, "--root", root.toString(), "--log", log.toString(), "run", "-b", b.dir.toString(), id);
    }

    @Test
    void aDeniedReadFailsAndIsLoggedWithTheContainerId(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "cat /etc/open > /out/open; cat /etc/secret > /out/secret 2> /out/err;"
                        + " echo $? > /out/rc",
                PolicySource.POLICY_ANNOTATION, "sandbox/read:on\nallow/read+/***\ndeny/read+/etc/secret\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pol-read", log);
        assertEquals(0, r.status(), r.err());
        assertEquals("visible", b.read("open"));
        assertEquals("", b.read("secret"));
        assertEquals("1", b.read("rc"));
        assertTrue(b.read("err").contains("Permission denied"), b.read("err"));
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("{\"time\"")).toList();
        assertEquals(1, lines.size(), String.join("\n", Files.readAllLines(log)));
        ObjectNode line = (ObjectNode) SpecJson.mapper().readTree(lines.getFirst());
        assertEquals("pol-read", line.get("id").asString());
        assertEquals("/etc/secret", line.get("path").asString());
        assertEquals("deny", line.get("action").asString());
        assertEquals("deny/read+/etc/secret", line.get("rule").asString());
        assertEquals("annotation " + PolicySource.POLICY_ANNOTATION + " in " + dir.resolve("config.json") + ":3",
                line.get("origin").asString());
    }

    @Test
    void theTimeoutEndsTheContainerWith124(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "sleep 30", PolicySource.TIMEOUT_ANNOTATION, "1s");
        long start = System.nanoTime();
        Cli.Result r = run(b, "pol-timeout", dir.resolve("sandbox.log"));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(124, r.status(), r.err());
        assertTrue(seconds < 10, "ended after " + seconds + " s");
    }

    @Test
    void aContainerThatEndsInTimeKeepsItsStatus(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "exit 7", PolicySource.POLICY_ANNOTATION, "timeout:30s\n");
        assertEquals(7, run(b, "pol-intime", dir.resolve("sandbox.log")).status());
    }

    @Test
    void aBadPolicyNamesTheAnnotationAndLine(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "true", PolicySource.POLICY_ANNOTATION, "sandbox/read:on\nallow/reed+/x\n");
        Cli.Result r = run(b, "pol-bad", dir.resolve("sandbox.log"));
        assertEquals(1, r.status());
        assertTrue(r.err().contains("annotation " + PolicySource.POLICY_ANNOTATION + " in ")
                && r.err().contains(":2"), r.err());
        assertTrue(Files.notExists(dir.resolve("state/pol-bad")), "nothing left behind");
    }

    @Test
    void aPolicyFileOnTheCommandLineConfines(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "cat /etc/secret > /dev/null 2> /out/err; echo $? > /out/rc");
        Path policy = dir.resolve("p.jsyd");
        Files.writeString(policy, "# admin's file\nsandbox/read:on\nallow/read+/***\nfilter/read+/etc/secret\n");
        Path log = dir.resolve("sandbox.log");
        Path root = Files.createDirectories(b.dir.resolve("state"));
        Cli.Result r = Cli.run(b.dir, "--root", root.toString(), "--log", log.toString(), "run", "--policy",
                policy.toString(), "-b", b.dir.toString(), "pol-file");
        assertEquals(0, r.status(), r.err());
        assertEquals("1", b.read("rc"));
        assertTrue(b.read("err").contains("Permission denied"), b.read("err"));
        assertTrue(Files.notExists(log) || Files.readAllLines(log).stream().noneMatch(l -> l.startsWith("{\"time\"")),
                "filter refuses without a log line");
    }
}
