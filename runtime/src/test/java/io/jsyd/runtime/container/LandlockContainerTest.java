package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.LandlockException;
import io.jsyd.runtime.landlock.LandlockPlan;
import io.jsyd.runtime.landlock.LandlockPlanner;
import io.jsyd.runtime.landlock.LandlockProbe;
import io.jsyd.runtime.landlock.LandlockSupport;
import io.jsyd.runtime.linux.Capability;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containers under the Landlock rules of a policy: a static probe (built here
 * from src/test/c/landlock-probe.c) tries each thing and prints what the kernel said.
 */
@Tag("root")
class LandlockContainerTest {
    private static final LandlockSupport KERNEL = LandlockProbe.system().probe();
    private static Path probe;

    @BeforeAll
    static void rootBusyboxLandlockAndGcc(@TempDir Path build) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
        assumeTrue(KERNEL.abi() >= 6, "needs Landlock ABI 6 (scopes), this kernel: " + KERNEL.describe());
        probe = buildProbe(build);
        assumeTrue(probe != null, "needs gcc with static glibc to build landlock-probe.c");
    }

    private static Path buildProbe(Path dir) throws IOException, InterruptedException {
        Path source = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && source == null; d = d.getParent()) {
            for (Path c : new Path[] {d.resolve("src/test/c/landlock-probe.c"), d.resolve("runtime/src/test/c/landlock-probe.c")}) {
                if (Files.isRegularFile(c)) {
                    source = c;
                }
            }
        }
        if (source == null) {
            throw new IllegalStateException("landlock-probe.c not found");
        }
        Path out = dir.resolve("landlock-probe");
        Process p = new ProcessBuilder("gcc", "-std=gnu11", "-O1", "-Wall", "-Werror", "-static", "-o", out.toString(),
                source.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            System.err.println("landlock-probe did not build: " + log);
            return null;
        }
        return out;
    }

    private static Path rootfs(Path dir) throws IOException {
        Path rootfs = BusyboxRootfs.create(dir);
        Files.copy(probe, rootfs.resolve("bin/llprobe"));
        for (String applet : List.of("mkdir", "rm", "sort", "mv", "cp", "sed", "uniq", "tr", "find")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(rootfs.resolve("secret"));
        Files.writeString(rootfs.resolve("secret/key"), "hidden\n");
        return rootfs;
    }

    /** The container of ContainerLauncherTest with other namespaces, capabilities and a Landlock plan. */
    private static ContainerConfig config(Path rootfs, Path out, List<String> args, List<NamespaceKind> kinds,
            Long effective, LandlockPlan plan) {
        ContainerConfig base = ContainerLauncherTest.config(rootfs, out, args, List.of());
        List<Namespace> ns = new ArrayList<>();
        for (NamespaceKind k : kinds) {
            ns.add(new Namespace(k, null, "linux.namespaces[" + ns.size() + "]"));
        }
        ProcessConfig p = base.process();
        if (effective != null) {
            Capabilities c = p.capabilities();
            p = new ProcessConfig(p.args(), p.env(), p.cwd(), p.uid(), p.gid(), p.additionalGids(), p.umask(),
                    new Capabilities(c.bounding(), effective, effective, 0, 0), p.rlimits(), p.noNewPrivileges(),
                    null, null, null, null, null, null, null);
        }
        return new ContainerConfig("ll", base.rootfs(), false, ns, List.of(), List.of(), List.of(), base.mounts(),
                List.of(), base.maskedPaths(), base.readonlyPaths(), "box", "", Map.of(), 0, false,
                p.withLandlock(plan), 0);
    }

    private static LandlockPlan plan(String policy) throws Exception {
        return LandlockPlanner.plan(PolicyParser.parse("test policy", policy).landlock(), KERNEL);
    }

    private record Outcome(int status, Launched launched) {
    }

    private static Outcome run(ContainerConfig c) {
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c);
            l.fds().forEach(Fd::close);
            return new Outcome(Processes.waitFor(l.initPid()).exitCode(), l);
        }
    }

    /** "what=result" lines of the probe's output file. */
    private static Map<String, String> results(Path file) throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static final List<NamespaceKind> PRIVATE = List.of(NamespaceKind.MOUNT, NamespaceKind.PID,
            NamespaceKind.UTS, NamespaceKind.IPC, NamespaceKind.NETWORK);

    @Test
    void readsAndWritesOutsideTheRulesFailWithEaccesWhileAllowedOnesWork(@TempDir Path dir) throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig c = config(rootfs, out, List.of("/bin/llprobe", "read:/etc/passwd", "read:/etc/group",
                "read:/secret/key", "write:/out/new", "write:/etc/new", "write:/etc/passwd", "read:/out/new",
                "write:/dev/null"), PRIVATE, null, plan("""
                sandbox/lock:on
                allow/lock/read,exec+/bin
                allow/lock/read+/etc/passwd
                allow/lock/read,write,create+/out
                allow/lock/write+/dev/null
                """));
        // the probe's stdout is the test's: it writes its results into /out via the shell-free way below
        ContainerConfig withOut = c.withProcess(new ProcessConfig(List.of("/bin/sh", "-c",
                String.join(" ", c.process().args()) + " > /out/results"), c.process().env(), "/", 0, 0, List.of(),
                022, c.process().capabilities(), List.of(), false, null, null, null, null, null, null, null)
                .withLandlock(c.process().landlock()));
        Outcome o = run(withOut);
        assertEquals(0, o.status());
        Map<String, String> r = results(out.resolve("results"));
        assertEquals("ok", r.get("read:/etc/passwd"), r.toString());
        assertEquals("EACCES", r.get("read:/etc/group"), r.toString());
        assertEquals("EACCES", r.get("read:/secret/key"), r.toString());
        assertEquals("ok", r.get("write:/out/new"), r.toString());
        assertEquals("EACCES", r.get("write:/etc/new"), r.toString());
        assertEquals("EACCES", r.get("write:/etc/passwd"), r.toString());
        assertEquals("ok", r.get("read:/out/new"), r.toString());
        assertEquals("ok", r.get("write:/dev/null"), r.toString());
        assertEquals(List.of(), o.launched().notes());
    }

    @Test
    void tcpConnectAndBindOutsideTheAllowedPortsFailWithEacces(@TempDir Path dir) throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig c = config(rootfs, out, List.of("/bin/sh", "-c", "/bin/llprobe lo-up listen:8080 listen:9090"
                + " connect:8080 connect:9090 bind:9191 connect:8081 > /out/results"), PRIVATE, null, plan("""
                sandbox/lock:on
                allow/lock/read,exec+/bin
                allow/lock/read,write,create+/out
                allow/lock/bind+8080
                allow/lock/connect+8080-8081
                """));
        Outcome o = run(c);
        assertEquals(0, o.status());
        Map<String, String> r = results(out.resolve("results"));
        assertEquals("ok", r.get("lo-up"), r.toString());
        assertEquals("ok", r.get("listen:8080"), r.toString());
        assertEquals("EACCES", r.get("listen:9090"), "bind outside the rules: " + r);
        assertEquals("ok", r.get("connect:8080"), r.toString());
        assertEquals("EACCES", r.get("connect:9090"), r.toString());
        assertEquals("EACCES", r.get("bind:9191"), r.toString());
        assertEquals("ECONNREFUSED", r.get("connect:8081"), "an allowed port reaches the network: " + r);
    }

    /** A host process outside the container's domain: a signal target and an abstract socket server. */
    private static Process hostServer(String name) throws IOException {
        Process p = new ProcessBuilder(probe.toString(), "userve:" + name).redirectErrorStream(true).start();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("serving", in.readLine());
        return p;
    }

    @Test
    void signalsAndAbstractSocketsOutsideTheScopeAreRefused(@TempDir Path dir) throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        String name = "jsyd-ll-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process host = hostServer(name);
        try {
            // host pid and network namespaces: without the scopes both would reach the host
            List<NamespaceKind> shared = List.of(NamespaceKind.MOUNT, NamespaceKind.UTS, NamespaceKind.IPC);
            String script = "/bin/llprobe kill:" + host.pid() + " uconnect:" + name + " > /out/";
            String rules = "sandbox/lock:on\nallow/lock/read,exec+/bin\nallow/lock/read,write,create+/out\n";
            assertEquals(0, run(config(rootfs, out, List.of("/bin/sh", "-c", script + "scoped"), shared, null,
                    plan(rules))).status());
            assertEquals(0, run(config(rootfs, out, List.of("/bin/sh", "-c", script + "unscoped"), shared, null,
                    plan(rules + "lock/scope:none\n"))).status());
            Map<String, String> scoped = results(out.resolve("scoped"));
            Map<String, String> unscoped = results(out.resolve("unscoped"));
            assertEquals("EPERM", scoped.get("kill:" + host.pid()), scoped.toString());
            assertEquals("EPERM", scoped.get("uconnect:" + name), scoped.toString());
            assertEquals("ok", unscoped.get("kill:" + host.pid()), "the control reaches the host: " + unscoped);
            assertEquals("ok", unscoped.get("uconnect:" + name), "the control reaches the host: " + unscoped);
            assertTrue(host.isAlive());
        } finally {
            host.destroyForcibly().waitFor();
        }
    }

    @Test
    void aMissingRulePathFailsAStrictStartNamingTheRuleAndIsSkippedWithANoteInBestEffort(@TempDir Path dir)
            throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        String rules = "sandbox/lock:on\nallow/lock/read,exec+/bin\nallow/lock/read+/opt/missing\n";
        ContainerConfig strict = config(rootfs, out, List.of("/bin/true"), PRIVATE, null, plan(rules));
        InitStubException e = assertThrows(InitStubException.class, () -> run(strict));
        assertTrue(e.getMessage().contains("allow/lock/read+/opt/missing (test policy:3)"), e.getMessage());
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        Outcome o = run(config(rootfs, out, List.of("/bin/true"), PRIVATE, null, plan(rules + "default/lock:warn\n")));
        assertEquals(0, o.status());
        assertEquals(List.of("allow/lock/read+/opt/missing (test policy:3): /opt/missing: ENOENT (no such file or"
                + " directory); skipped (best effort)"), o.launched().notes());
    }

    @Test
    void aBusyboxShellSessionRunsNormallyUnderAStrictProfileWithoutCapSysAdmin(@TempDir Path dir) throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        String session = """
                set -e
                cd /tmp
                echo hello > greeting
                cat greeting greeting | sort | uniq | tr a-z A-Z > upper
                mkdir -p work/sub && mv upper work/sub/UPPER && cp work/sub/UPPER copy
                ls -R work > listing
                grep -c HELLO copy > /out/count
                sed -i s/HELLO/BYE/ copy && cat copy >> /out/count
                find /tmp -name UPPER >> /out/count
                rm -r work greeting copy listing
                ls /tmp | wc -l >> /out/count
                if cat /secret/key 2>/dev/null; then echo leak >> /out/count; fi
                echo done >> /out/count
                """;
        // no CAP_SYS_ADMIN and no no_new_privs: Landlock is applied while the init still holds its capabilities
        long caps = (1L << Capability.CAP_CHOWN.number()) | (1L << Capability.CAP_DAC_OVERRIDE.number())
                | (1L << Capability.CAP_FOWNER.number()) | (1L << Capability.CAP_KILL.number());
        ContainerConfig c = config(rootfs, out, List.of("/bin/sh", "-c", session), PRIVATE, caps, plan("""
                sandbox/lock:on
                default/lock:kill
                allow/lock/read,readdir,exec+/bin
                allow/lock/read,readdir+/etc
                allow/lock/all+/tmp
                allow/lock/read,readdir,write,create,truncate+/out
                allow/lock/read,write,ioctl+/dev/null
                allow/lock/read,readdir+/proc
                """));
        Outcome o = run(c);
        assertEquals(0, o.status());
        assertEquals(List.of("1", "BYE", "/tmp/work/sub/UPPER", "0", "done"),
                Files.readAllLines(out.resolve("count")).stream().map(String::strip).toList());
    }

    @Test
    void anInitConfinedBeforeItWaitsForStartCanStillBeReleasedThroughItsFifo(@TempDir Path dir) throws Exception {
        Path rootfs = rootfs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        Path fifo = dir.resolve("exec.fifo");
        io.jsyd.runtime.linux.Fifos.make(fifo, 0600);
        // neither CAP_SYS_ADMIN nor no_new_privs: Landlock comes before the wait, the fifo needs its rule
        ContainerConfig c = config(rootfs, out, List.of("/bin/sh", "-c", "echo started > /out/started"), PRIVATE,
                1L << Capability.CAP_KILL.number(), plan("sandbox/lock:on\nallow/lock/read,exec+/bin\n"
                        + "allow/lock/write,create+/out\n"));
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c, null, (fd, pid) -> {
            }, (fd, pid) -> {
                throw new IllegalStateException("no supervisor here");
            }, HookPoints.NONE, fifo);
            l.fds().forEach(Fd::close);
            int[] status = new int[1];
            // should the init die instead of writing, an O_RDWR open (which never blocks) ends the read with EOF
            Thread reaper = Thread.ofPlatform().start(() -> {
                status[0] = Processes.waitFor(l.initPid()).exitCode();
                try (var unblock = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
                    unblock.getFD();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            int first;
            try (var in = Files.newInputStream(fifo)) {
                first = in.read();
            }
            reaper.join();
            assertEquals('0', first, "the init wrote the fifo from inside its Landlock domain");
            assertEquals(0, status[0]);
        }
        assertEquals("started", Files.readString(out.resolve("started")).strip());
    }

    @Test
    void aStrictPolicyTheKernelCannotApplyIsRefusedBeforeAnythingRuns() throws Exception {
        var policy = PolicyParser.parse("test policy", "sandbox/lock:on\nallow/lock/connect+80\n").landlock();
        LandlockException e = assertThrows(LandlockException.class,
                () -> LandlockPlanner.plan(policy, LandlockProbe.fixed(3).probe()));
        assertTrue(e.getMessage().contains("allow/lock/connect+80 (test policy:2)"), e.getMessage());
    }
}
