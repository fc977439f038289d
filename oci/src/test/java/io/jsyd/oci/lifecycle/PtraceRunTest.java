package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.convert.PolicySource;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.seccomp.Libseccomp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * `jsyd-oci run` of busybox containers under the ptrace layer's checks: a static
 * probe (oci/src/test/c/trace-probe.c) tries each forbidden thing and its allowed
 * counterpart; refusals come back with their errno or action and one JSON line each.
 */
@Tag("root")
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PtraceRunTest {
    @TempDir
    static Path probes;
    static Path probe;
    static Path execStackProbe;

    @BeforeAll
    static void prerequisites() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces and ptrace");
        assumeTrue(Files.isExecutable(SeccompBundle.BUSYBOX), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        probe = build("trace-probe");
        execStackProbe = build("trace-probe-execstack", "-z", "execstack");
        assumeTrue(probe != null && execStackProbe != null, "needs gcc and a static glibc to build the probe");
    }

    private static Path build(String name, String... extra) throws IOException, InterruptedException {
        Path source = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && source == null; d = d.getParent()) {
            Path candidate = d.resolve("oci/src/test/c/trace-probe.c");
            source = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (source == null) {
            return null;
        }
        Path binary = probes.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("gcc", "-std=gnu11", "-O1", "-static"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-o", binary.toString(), source.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 ? binary : null;
    }

    /** A busybox bundle with the probe at /probe and this policy in its annotation. */
    private static SeccompBundle bundle(Path dir, String script, String policy) throws Exception {
        ObjectNode allowAll = (ObjectNode) SpecJson.mapper().readTree("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
        SeccompBundle b = SeccompBundle.create(dir, probe, allowAll, script);
        Path rootfs = dir.resolve("rootfs");
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(execStackProbe, rootfs.resolve("execstack"));
        b.config.putObject("annotations").put(PolicySource.POLICY_ANNOTATION, policy);
        b.write();
        return b;
    }

    private static Cli.Result run(SeccompBundle b, String id, Path log) throws Exception {
        Path root = Files.createDirectories(b.dir.resolve("state"));
        return Cli.run(b.dir, "--root", root.toString(), "--log", log.toString(), "run", "-b", b.dir.toString(),
                id + "-" + ProcessHandle.current().pid());
    }

    private static List<JsonNode> decisions(Path log) throws IOException {
        if (Files.notExists(log)) {
            return List.of();
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            if (l.startsWith("{\"time\"")) {
                out.add(SpecJson.mapper().readTree(l));
            }
        }
        return out;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void writableExecutableMemoryIsRefusedAndWritableMemoryIsNot(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "/probe wx-mmap > /out/wx; /probe rw-mmap > /out/rw;"
                + " /probe mprotect-x > /out/mpx; /probe mprotect-r > /out/mpr; /probe map-exec-rw /out/data > /out/mrw;"
                + " /probe map-exec /out/data > /out/mro", "trace/allow_unsafe_memory:0\n");
        Files.writeString(b.out.resolve("data"), "code".repeat(1024));
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-wx", log);
        assertEquals(0, r.status(), r.err());
        assertEquals("errno 13", b.read("wx"));
        assertEquals("ok", b.read("rw"));
        assertEquals("errno 13", b.read("mpx"));
        assertEquals("ok", b.read("mpr"));
        assertEquals("errno 13", b.read("mrw"), "code mapped through an fd it could write");
        assertEquals("ok", b.read("mro"));
        List<JsonNode> d = decisions(log);
        assertEquals(3, d.size(), Files.readString(log));
        assertEquals("mmap", d.get(0).get("syscall").asString());
        assertEquals("mprotect", d.get(1).get("syscall").asString());
        assertEquals("/out/data", d.get(2).get("path").asString());
        for (JsonNode n : d) {
            assertEquals("memory", n.get("category").asString());
            assertEquals("deny", n.get("action").asString());
            assertEquals("trace/allow_unsafe_memory:0", n.get("rule").asString());
        }
    }

    @Test
    void anExecutableStackIsRefused(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "/probe exec /execstack > /out/xs; /probe exec /probe > /out/plain",
                "trace/allow_unsafe_stack:0\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-stack", log);
        assertEquals(0, r.status(), r.err());
        assertEquals("errno 13", b.read("xs"));
        assertEquals("hello", b.read("plain"));
        List<JsonNode> d = decisions(log);
        assertEquals(1, d.size(), Files.readString(log));
        assertEquals("stack", d.getFirst().get("category").asString());
        assertEquals("/execstack", d.getFirst().get("path").asString());
    }

    @Test
    void trustedPathExecutionRefusesAWorldWritableDirectory(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "/probe exec /tmp/probe > /out/tmp; /probe exec /probe > /out/root;"
                + " /probe map-exec /tmp/probe > /out/lib; /probe map-exec /probe > /out/lib-ok", "sandbox/tpe:on\n");
        Path tmp = dir.resolve("rootfs/tmp");
        Files.copy(probe, tmp.resolve("probe"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-tpe", log);
        assertEquals(0, r.status(), r.err());
        assertEquals("errno 13", b.read("tmp"));
        assertEquals("hello", b.read("root"));
        assertEquals("errno 13", b.read("lib"), "a library from an untrusted directory");
        assertEquals("ok", b.read("lib-ok"));
        List<JsonNode> d = decisions(log);
        assertEquals(2, d.size(), Files.readString(log));
        assertEquals("tpe", d.getFirst().get("category").asString());
        assertEquals("deny", d.getFirst().get("action").asString());
        assertEquals("/tmp/probe", d.getFirst().get("path").asString());
        assertEquals("execve", d.getFirst().get("syscall").asString());
        assertEquals("mmap", d.get(1).get("syscall").asString());
        assertEquals("/tmp/probe", d.get(1).get("path").asString());
    }

    @Test
    void forceRefusesATamperedBinaryAndKillsWhereTheRuleSaysSo(@TempDir Path dir) throws Exception {
        String good = sha256(probe);
        String policy = "sandbox/force:on\nforce+/bin/busybox:" + sha256(SeccompBundle.BUSYBOX) + "\nforce+/probe:"
                + good + "\nforce+/tampered:" + good + "\nforce+/tampered2:" + good + ":kill\n";
        SeccompBundle b = bundle(dir, "/probe exec /probe > /out/good; /probe exec /tampered > /out/bad;"
                + " /probe exec /tampered2 > /out/killed; echo $? > /out/killed-rc", policy);
        byte[] bytes = Files.readAllBytes(probe);
        byte[] changed = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        Files.write(dir.resolve("rootfs/tampered"), changed);
        Files.write(dir.resolve("rootfs/tampered2"), changed);
        for (String f : List.of("tampered", "tampered2")) {
            Files.setPosixFilePermissions(dir.resolve("rootfs").resolve(f), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-force", log);
        assertEquals(0, r.status(), r.err());
        assertEquals("hello", b.read("good"));
        assertEquals("errno 13", b.read("bad"));
        assertEquals("", b.read("killed"));
        assertEquals("137", b.read("killed-rc"));
        List<JsonNode> d = decisions(log);
        assertEquals(2, d.size(), Files.readString(log));
        assertEquals("deny", d.get(0).get("action").asString());
        assertEquals("force+/tampered:" + good, d.get(0).get("rule").asString());
        assertEquals("kill", d.get(1).get("action").asString());
        assertEquals("/tampered2", d.get(1).get("path").asString());
    }

    @Test
    void memoryBeyondMemMaxIsRefusedWithEnomem(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "/probe alloc 256 > /out/mem; /probe alloc 8 > /out/small", "mem/max:64M\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-mem", log);
        assertEquals(0, r.status(), r.err());
        String[] mem = b.read("mem").split(" ");
        assertEquals("errno", mem[2], b.read("mem"));
        assertEquals("12", mem[3]);
        int n = Integer.parseInt(mem[1]);
        assertTrue(n > 8 && n < 64, b.read("mem"));
        assertEquals("allocated 8", b.read("small"));
        List<JsonNode> d = decisions(log);
        assertEquals(1, d.size(), Files.readString(log));
        assertEquals("mem", d.getFirst().get("category").asString());
        assertEquals("default/mem:deny", d.getFirst().get("rule").asString());
    }

    @Test
    void forkingBeyondPidMaxIsRefusedWithEagain(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "/probe fork 20 > /out/pid; /probe fork 2 > /out/few",
                "pid/max:6\ndefault/pid:deny\n");
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-pid", log);
        assertEquals(0, r.status(), r.err());
        // the shell and the probe are two of the six tasks; under load the count was once
        // one higher at a fork (a task seen by the tracer before it was reaped): refused one early
        String pid = b.read("pid");
        assertTrue(pid.equals("forked 4 errno 11") || pid.equals("forked 3 errno 11"), pid);
        assertEquals("forked 2", b.read("few"));
        List<JsonNode> d = decisions(log);
        assertEquals(1, d.size(), Files.readString(log));
        assertEquals("pid", d.getFirst().get("category").asString());
        assertEquals("deny", d.getFirst().get("action").asString());
    }

    @Test
    void aMissingProgramFailsTheRunWithTheExecErrorUnderTheTracer(@TempDir Path dir) throws Exception {
        SeccompBundle b = bundle(dir, "true", "trace/allow_unsafe_memory:0\nsandbox/tpe:on\n");
        b.config.withObject("process").putArray("args").add("/no/such/program");
        b.write();
        Cli.Result r = run(b, "pt-noexec", dir.resolve("sandbox.log"));
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("/no/such/program") || r.err().contains("no such file"), r.err());
        assertTrue(!r.err().contains("ECHILD"), r.err());
    }

    @Test
    void aShellSessionRunsNormallyUnderTheStrictestProfile(@TempDir Path dir) throws Exception {
        String policy = "trace/allow_unsafe_memory:0\ntrace/allow_unsafe_stack:0\nsandbox/tpe:on\n"
                + "sandbox/force:on\nforce+/bin/busybox:" + sha256(SeccompBundle.BUSYBOX) + "\nforce+/probe:"
                + sha256(probe) + "\nmem/max:256M\npid/max:64\n";
        SeccompBundle b = bundle(dir, "echo hi | cat > /out/pipe; for i in 1 2 3; do echo $i; done > /out/loop;"
                + " ls / > /out/ls; sleep 0.1 & wait; x=$(echo sub); echo $x > /out/sub; /probe exec /probe > /out/p;"
                + " exit 3", policy);
        Path log = dir.resolve("sandbox.log");
        Cli.Result r = run(b, "pt-shell", log);
        assertEquals(3, r.status(), r.err());
        assertEquals("hi", b.read("pipe"));
        assertEquals("1\n2\n3", b.read("loop"));
        assertTrue(b.read("ls").contains("probe"), b.read("ls"));
        assertEquals("sub", b.read("sub"));
        assertEquals("hello", b.read("p"));
        assertEquals(List.of(), decisions(log));
    }
}
