package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.seccomp.Libseccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real containers through `jsyd-oci run`: each seccomp action and operator seen
 * from inside, podman's default profile next to crun, and the listener handed to
 * a seccomp agent that answers the container's notifications.
 */
@Tag("root")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SeccompRunTest {
    private static final int SIGSYS_EXIT = 128 + 31;

    @TempDir
    static Path shared;
    private static Path probe;

    @BeforeAll
    static void prerequisites() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(Files.isExecutable(SeccompBundle.BUSYBOX), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        probe = SeccompBundle.buildProbe(shared);
        assumeTrue(probe != null, "needs gcc and static glibc to build the probe");
    }

    private static int nr(String syscall) {
        return Libseccomp.get().syscall(syscall).orElseThrow();
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) SpecJson.mapper().readTree(text);
    }

    /** A shell script that runs the probe once per case, each into /out/NAME with its exit status. */
    private static String script(Map<String, String> cases) {
        StringBuilder s = new StringBuilder("p() { o=$1; shift; /probe -o /out/$o \"$@\"; echo \"exit=$?\" >> /out/$o; };");
        cases.forEach((name, args) -> s.append(" p ").append(name).append(' ').append(args).append(';'));
        return s.toString();
    }

    private static Cli.Result run(SeccompBundle b, String id) throws Exception {
        Path root = Files.createDirectories(b.dir.resolve("state"));
        return Cli.run(b.dir, "--root", root.toString(), "run", "-b", b.dir.toString(), id);
    }

    private static final java.util.regex.Pattern AUDIT_SERIAL = java.util.regex.Pattern.compile("audit\\([0-9.]+:(\\d+)\\)");

    /** The highest audit serial in the kernel log: records after it are new, whatever the ring buffer dropped. */
    private static long lastAuditSerial() throws Exception {
        return dmesg().stream().mapToLong(SeccompRunTest::serial).max().orElse(-1);
    }

    private static long serial(String line) {
        java.util.regex.Matcher m = AUDIT_SERIAL.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static List<String> dmesg() throws Exception {
        Process p = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().toList();
    }

    /** SCMP_ACT_LOG records after {@code since}; kauditd prints them asynchronously, so wait a little for one. */
    private static long seccompLogRecordsSince(long since, int syscall) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long n = dmesg().stream().filter(l -> serial(l) > since && l.contains("type=1326")
                    && l.contains("syscall=" + syscall + " ") && l.contains("code=0x7ffc0000")).count();
            if (n > 0 || System.nanoTime() > deadline) {
                return n;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void everyActionAndOperatorFromInsideAContainer(@TempDir Path dir) throws Exception {
        int gp = nr("getpriority");
        String rules = """
                {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42, "args": [{"index": 0, "value": 100, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_KILL", "args": [{"index": 0, "value": 101, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 102, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_TRAP", "args": [{"index": 0, "value": 103, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_TRACE", "errnoRet": 5, "args": [{"index": 0, "value": 104, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 105, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_KILL_THREAD", "args": [{"index": 0, "value": 109, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 43, "args": [
                     {"index": 0, "value": 107, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 65280, "valueTwo": 4608, "op": "SCMP_CMP_MASKED_EQ"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 44, "args": [
                     {"index": 0, "value": 108, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 5, "op": "SCMP_CMP_GT"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 45, "args": [
                     {"index": 0, "value": 110, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 5, "op": "SCMP_CMP_LE"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 46, "args": [
                     {"index": 0, "value": 111, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 5, "op": "SCMP_CMP_NE"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 47, "args": [
                     {"index": 0, "value": 112, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 5, "op": "SCMP_CMP_LT"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 48, "args": [
                     {"index": 0, "value": 113, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 4294967296, "op": "SCMP_CMP_GE"}]},
                  {"names": ["getpriority"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 106, "op": "SCMP_CMP_EQ"}]},
                  {"names": ["no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}""";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("errno", gp + " 100 0");
        cases.put("kill", gp + " 101 0");
        cases.put("killthread", "-t " + gp + " 109 0");
        cases.put("killprocess", "-t " + gp + " 102 0");
        cases.put("trap", "-s " + gp + " 103 0");
        cases.put("trace", gp + " 104 0");
        cases.put("log", gp + " 105 0");
        cases.put("allow", gp + " 106 0");
        cases.put("maskedhit", gp + " 107 0x12ab");
        cases.put("maskedmiss", gp + " 107 0x13ab");
        cases.put("gthit", gp + " 108 6");
        cases.put("gtmiss", gp + " 108 5");
        cases.put("lehit", gp + " 110 5");
        cases.put("lemiss", gp + " 110 6");
        cases.put("nehit", gp + " 111 6");
        cases.put("nemiss", gp + " 111 5");
        cases.put("lthit", gp + " 112 4");
        cases.put("ltmiss", gp + " 112 5");
        cases.put("gehit", gp + " 113 0x100000000");
        cases.put("gemiss", gp + " 113 0xffffffff");
        cases.put("nomatch", gp + " 999 0");
        SeccompBundle b = SeccompBundle.create(dir, probe, json(rules), script(cases));
        long since = lastAuditSerial();
        Cli.Result r = run(b, "seccomp-actions-" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r.err());
        String passed = "rc=-1 errno=22\nexit=0";
        assertEquals("rc=-1 errno=42\nexit=0", b.read("errno"));
        assertEquals("exit=" + SIGSYS_EXIT, b.read("kill"));
        assertEquals("main alive\nexit=0", b.read("killthread"));
        assertEquals("exit=" + SIGSYS_EXIT, b.read("killprocess"));
        assertEquals("sigsys nr=" + gp + " data=0 code=1\nexit=0", b.read("trap"));
        assertEquals("rc=-1 errno=38\nexit=0", b.read("trace"), "without a tracer, TRACE fails with ENOSYS");
        assertEquals(passed, b.read("log"));
        assertEquals(passed, b.read("allow"));
        for (String op : List.of("masked", "gt", "le", "ne", "lt", "ge")) {
            assertTrue(b.read(op + "hit").matches("rc=-1 errno=4[3-8]\nexit=0"), op + ": " + b.read(op + "hit"));
            assertEquals(passed, b.read(op + "miss"), op);
        }
        assertEquals(passed, b.read("nomatch"));
        assertTrue(r.err().contains("\"no_such_syscall\" is not a syscall libseccomp"), r.err());
        // SCMP_ACT_LOG reaches the kernel log (audit type 1326) when the kernel logs that action
        if (Files.readString(Path.of("/proc/sys/kernel/seccomp/actions_logged")).contains("log")) {
            assertEquals(1, seccompLogRecordsSince(since, gp), "one audit record for the LOG call");
        }
    }

    @Test
    void podmansDefaultProfileBehavesAsUnderCrunOrRunc(@TempDir Path dir) throws Exception {
        JsonNode profile = SeccompBundle.resource("/spec/generated/podman-create.json").get("linux").get("seccomp");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("add_key", nr("add_key") + " 0 0 0 0 0");
        cases.put("request_key", nr("request_key") + " 0 0 0 0");
        cases.put("bpf", nr("bpf") + " 0 0 0");
        cases.put("kcmp", nr("kcmp") + " 0 0 0 0 0");
        cases.put("setns", nr("setns") + " 99 0");
        cases.put("unshare", nr("unshare") + " 0x04000000");
        cases.put("keyctl", nr("keyctl") + " 0 0xfffffffd 0");
        cases.put("netlink_audit", nr("socket") + " 16 3 9");
        cases.put("netlink_route", nr("socket") + " 16 3 0");
        cases.put("personality_query", nr("personality") + " 0xffffffff");
        cases.put("personality_other", nr("personality") + " 1");
        cases.put("getpid", Integer.toString(nr("getpid")));
        String script = script(cases) + " unshare -u true 2> /out/busybox_unshare; echo \"exit=$?\" >> /out/busybox_unshare;"
                + " ls / > /out/ls; echo \"exit=$?\" >> /out/ls";
        SeccompBundle b = SeccompBundle.create(dir, probe, profile, script);
        // podman runs without no_new_privs and without CAP_SYS_ADMIN: the filter is loaded early
        ((ObjectNode) b.config.get("process")).put("noNewPrivileges", false);
        b.write();
        Cli.Result r = run(b, "seccomp-podman-" + ProcessHandle.current().pid());
        assertEquals(0, r.status(), r.err());
        Map<String, String> ours = results(b.out);
        // the profile's explicit errno, its default errno (ENOSYS) and its argument rules
        assertEquals("rc=-1 errno=1\nexit=0", ours.get("bpf"));
        assertEquals("rc=-1 errno=38\nexit=0", ours.get("add_key"));
        assertEquals("rc=-1 errno=38\nexit=0", ours.get("personality_other"));
        assertEquals("rc=-1 errno=22\nexit=0", ours.get("netlink_audit"));
        assertTrue(ours.get("netlink_route").matches("rc=\\d+ errno=0\nexit=0"), ours.get("netlink_route"));
        assertTrue(ours.get("getpid").matches("rc=\\d+ errno=0\nexit=0"), ours.get("getpid"));
        assertTrue(ours.get("ls").contains("probe"), ours.get("ls"));

        // crun where it runs; crun 1.8 refuses hosts with cgroup v1 and v2 mounted together, then runc
        List<String> refused = new ArrayList<>();
        for (String other : List.of("crun", "runc")) {
            for (Path f : listFiles(b.out)) {
                Files.delete(f);
            }
            Path state = Files.createDirectories(dir.resolve(other + "-state"));
            Process p;
            try {
                p = new ProcessBuilder(other, "--root", state.toString(), "run", "-b", b.dir.toString(),
                        "seccomp-podman-" + other + "-" + ProcessHandle.current().pid()).redirectErrorStream(true).start();
            } catch (java.io.IOException e) {
                refused.add(other + " is not installed");
                continue;
            }
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            if (p.exitValue() != 0) {
                refused.add(other + " could not run the bundle here: " + log.strip());
                continue;
            }
            // pids and keyring serials differ from run to run; successes and errnos must not
            assertEquals(successesAlike(results(b.out)), successesAlike(ours), "the same profile under " + other);
            return;
        }
        assumeTrue(false, String.join("; ", refused));
    }

    private static Map<String, String> successesAlike(Map<String, String> results) {
        Map<String, String> m = new LinkedHashMap<>();
        results.forEach((k, v) -> m.put(k, v.replaceAll("rc=\\d+ errno=0", "rc=N errno=0")));
        return m;
    }

    private static List<Path> listFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static Map<String, String> results(Path out) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (Path f : listFiles(out)) {
            m.put(f.getFileName().toString(), Files.readString(f).strip());
        }
        return m;
    }

    @Test
    void theListenerGoesToTheAgentWhichAnswersNotifications(@TempDir Path dir) throws Exception {
        int gp = nr("getpriority");
        Path socket = Files.createTempDirectory("jsyd-agent").resolve("a.sock");
        String rules = """
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s", "listenerMetadata": "MKNOD=/dev/null;x=1",
                 "syscalls": [{"names": ["getpriority"], "action": "SCMP_ACT_NOTIFY", "args": [{"index": 0, "value": 300, "op": "SCMP_CMP_EQ"}]}]}"""
                .formatted(socket);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("answered", gp + " 300 7");
        cases.put("failed", gp + " 300 8");
        cases.put("notnotified", gp + " 999 0");
        String id = "seccomp-agent-" + ProcessHandle.current().pid();
        SeccompBundle b = SeccompBundle.create(dir, probe, json(rules), script(cases));
        b.config.putObject("annotations").put("org.example/agent", "yes");
        b.write();
        try (TestSeccompAgent agent = TestSeccompAgent.listen(socket)) {
            CompletableFuture<List<Object>> served = CompletableFuture.supplyAsync(() -> {
                TestSeccompAgent.Handoff h = agent.accept();
                List<Object> seen = new ArrayList<>(List.of(h));
                try {
                    TestSeccompAgent.Notification first = TestSeccompAgent.receive(h.fd());
                    TestSeccompAgent.answer(h.fd(), first, 4242, 0);
                    TestSeccompAgent.Notification second = TestSeccompAgent.receive(h.fd());
                    TestSeccompAgent.answer(h.fd(), second, 0, 18);
                    seen.add(first);
                    seen.add(second);
                } finally {
                    TestSeccompAgent.closeFd(h.fd());
                }
                return seen;
            });
            Cli.Result r = run(b, id);
            assertEquals(0, r.status(), r.err());
            List<Object> seen = served.get(30, TimeUnit.SECONDS);
            TestSeccompAgent.Handoff h = (TestSeccompAgent.Handoff) seen.get(0);
            assertTrue(h.fd() >= 0, "the listener came with the state");
            JsonNode state = SpecJson.mapper().readTree(h.json());
            assertEquals("1.3.0", state.get("ociVersion").asString());
            assertEquals(List.of("seccompFd"), state.get("fds").valueStream().map(JsonNode::asString).toList());
            assertEquals("MKNOD=/dev/null;x=1", state.get("metadata").asString());
            JsonNode inner = state.get("state");
            assertEquals(id, inner.get("id").asString());
            assertEquals("creating", inner.get("status").asString());
            assertEquals(state.get("pid").asInt(), inner.get("pid").asInt());
            assertEquals(dir.toString(), inner.get("bundle").asString());
            assertEquals("yes", inner.get("annotations").get("org.example/agent").asString());
            TestSeccompAgent.Notification first = (TestSeccompAgent.Notification) seen.get(1);
            assertEquals(gp, first.nr());
            assertEquals(300, first.args()[0]);
            assertEquals(7, first.args()[1]);
            assertEquals(8, ((TestSeccompAgent.Notification) seen.get(2)).args()[1]);
        }
        assertEquals("rc=4242 errno=0\nexit=0", b.read("answered"));
        assertEquals("rc=-1 errno=18\nexit=0", b.read("failed"));
        assertEquals("rc=-1 errno=22\nexit=0", b.read("notnotified"));
    }

    @Test
    void anAgentThatIsNotListeningFailsTheStart(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("nobody.sock");
        String rules = """
                {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "%s",
                 "syscalls": [{"names": ["getpriority"], "action": "SCMP_ACT_NOTIFY"}]}""".formatted(socket);
        SeccompBundle b = SeccompBundle.create(dir, probe, json(rules), "sleep 30");
        java.time.Instant start = java.time.Instant.now();
        Cli.Result r = run(b, "seccomp-noagent-" + ProcessHandle.current().pid());
        java.time.Duration elapsed = java.time.Duration.between(start, java.time.Instant.now());
        assertTrue(r.status() != 0);
        assertTrue(r.err().contains("linux.seccomp.listenerPath " + socket), r.err());
        assertTrue(r.err().contains("ENOENT"), r.err());
        // like runc, the init goes on while the parent reaches the agent; the failure kills it
        assertTrue(elapsed.toSeconds() < 20, "the container was not left to sleep: " + elapsed);
    }
}
