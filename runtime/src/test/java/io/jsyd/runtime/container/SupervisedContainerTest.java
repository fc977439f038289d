package io.jsyd.runtime.container;

import static io.jsyd.runtime.container.SupervisedRuns.buildStatic;
import static io.jsyd.runtime.container.SupervisedRuns.container;
import static io.jsyd.runtime.container.SupervisedRuns.counts;
import static io.jsyd.runtime.container.SupervisedRuns.openLoop;
import static io.jsyd.runtime.container.SupervisedRuns.plainRun;
import static io.jsyd.runtime.container.SupervisedRuns.raceContainer;
import static io.jsyd.runtime.container.SupervisedRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.container.SupervisedRuns.Outcome;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.seccomp.Libseccomp;
import io.jsyd.runtime.seccomp.SeccompAction;
import io.jsyd.runtime.seccomp.SeccompCompiler;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.supervisor.DecisionLog;
import io.jsyd.runtime.supervisor.NotifySupervisor;
import io.jsyd.runtime.supervisor.SupervisedSyscalls;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real containers under a sandbox policy, answered by the notify supervisor. */
@Tag("root")
class SupervisedContainerTest {
    @BeforeAll
    static void rootBusyboxAndNotify() {
        SupervisedRuns.assumeRootBusyboxAndNotify();
    }


    /**
     * A fifo opened for a caller blocks the worker that opens it until the other
     * end is opened too, which takes a second worker: the pool has to grow.
     */
    @Test
    void poolGrowsWhenCallersAreHeldUpBySlowAnswers(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "mkfifo /out/fifo && (cat /out/fifo > /out/got &) && echo hi > /out/fifo;"
                + " wait; sleep 0.2; cat /out/got > /out/seen");
        Outcome o = run(c, """
                sandbox/read,write:on
                allow/read,write+/***
                """, new ByteArrayOutputStream(), new NotifySupervisor.PoolSize(1, 4, Duration.ofSeconds(5)));
        assertEquals(0, o.status());
        assertEquals("hi", Files.readString(dir.resolve("out/seen")).strip());
        assertTrue(o.threadsStarted() >= 2, "the pool grew: " + o.threadsStarted() + " threads");
    }

    /**
     * One caller has at most one call in hand: however fast it calls again, the
     * other of two threads waits for it, so the pool does not grow to its
     * maximum (a pool that grew for a single caller kept every thread it added,
     * and each took its turn cold). One more may start while the JVM is cold:
     * a thread's first answers, interpreted, leave it tidying up long enough
     * for the watcher to see the caller's next call wait twice.
     */
    @Test
    void aSingleCallerNeedsNoMoreThanTwoThreads(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "i=0; while [ $i -lt 5000 ]; do : < /etc/passwd; i=$((i+1)); done");
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                """, new ByteArrayOutputStream(), new NotifySupervisor.PoolSize(2, 8, Duration.ofSeconds(5)));
        assertEquals(0, o.status());
        assertTrue(o.handled() >= 5000, "only " + o.handled() + " notifications");
        assertTrue(o.threadsStarted() <= 3, "threads started: " + o.threadsStarted());
    }

    @Test
    void deniedReadsFailWithEaccesAndAllowedOnesWork(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "cat /etc/passwd > /out/passwd; echo $? > /out/allowed;"
                + " cd /secret && cat key > /out/key 2> /out/err; echo $? > /out/denied;"
                + " cat ../secret/./key > /dev/null 2>> /out/err; echo $? >> /out/denied");
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                deny/read+/secret/***
                """);
        Path out = dir.resolve("out");
        assertEquals(0, o.status());
        assertEquals("0", Files.readString(out.resolve("allowed")).strip());
        assertTrue(Files.readString(out.resolve("passwd")).contains("root"));
        assertEquals(List.of("1", "1"), Files.readString(out.resolve("denied")).strip().lines().toList());
        assertEquals("", Files.readString(out.resolve("key")));
        assertTrue(Files.readString(out.resolve("err")).contains("Permission denied"),
                Files.readString(out.resolve("err")));
        List<String> lines = o.log().lines().toList();
        assertEquals(2, lines.size(), o.log());
        for (String line : lines) {
            assertTrue(line.matches("\\{\"time\":\"[^\"]+\",\"id\":\"t\",\"pid\":\\d+,\"syscall\":\"openat\","
                    + "\"category\":\"read\",\"path\":\"/secret/key\",\"action\":\"deny\","
                    + "\"rule\":\"deny/read\\+/secret/\\*\\*\\*\",\"origin\":\"test policy:3\"}"), line);
        }
    }

    @Test
    void execOfADeniedBinaryFailsAndWarnIsLogged(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "/opt/tool/true; echo $? > /out/tool; /opt/other/true; echo $? > /out/other");
        Outcome o = run(c, """
                sandbox/exec:on
                allow/exec+/bin/***
                warn/exec+/opt/tool/true
                """);
        assertEquals(0, o.status());
        assertEquals("0", Files.readString(dir.resolve("out/tool")).strip());
        assertEquals("126", Files.readString(dir.resolve("out/other")).strip());
        assertTrue(o.log().contains("\"path\":\"/opt/tool/true\",\"action\":\"warn\""), o.log());
        assertTrue(o.log().contains("\"syscall\":\"execve\",\"category\":\"exec\",\"path\":\"/opt/other/true\","
                + "\"action\":\"deny\",\"rule\":\"default/exec:deny\""), o.log());
    }

    @Test
    void killActionKillsTheCaller(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "cat /secret/key; echo survived > /out/after");
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                kill/read+/secret/key
                """);
        assertEquals(0, o.status(), "the shell survives; its child cat was killed");
        assertTrue(o.log().contains("\"action\":\"kill\""), o.log());
        assertTrue(Files.exists(dir.resolve("out/after")));
    }

    @Test
    void stopActionStopsTheCaller(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "cat /secret/key; echo $? > /out/rc");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        AtomicReference<String> state = new AtomicReference<>("never seen");
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < 500; i++) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":(\\d+)")
                            .matcher(log.toString(StandardCharsets.UTF_8));
                    if (m.find()) {
                        int pid = Integer.parseInt(m.group(1));
                        Thread.sleep(100);
                        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                        state.set(stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
                        Processes.kill(pid, 9);
                        return;
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                state.set(e.toString());
            }
        });
        Outcome o = run(c, "sandbox/read:on\nallow/read+/***\nstop/read+/secret/key\n", log);
        watcher.join(5000);
        assertEquals(0, o.status());
        assertEquals("T", state.get(), "the caller was stopped");
        assertEquals("137", Files.readString(dir.resolve("out/rc")).strip());
        assertTrue(o.log().contains("\"action\":\"stop\""), o.log());
    }

    @Test
    void exitActionEndsTheWholeContainer(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "sleep 30 & cat /secret/key; echo survived > /out/after; wait");
        long start = System.nanoTime();
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                exit/read+/secret/key
                """);
        assertEquals(128 + 9, o.status());
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "the sleeping child did not hold the container");
        assertTrue(o.log().contains("\"action\":\"exit\""), o.log());
        assertFalse(Files.exists(dir.resolve("out/after")));
    }

    /** A caller's supplementary groups go with its opens, however many it has (the buffer for them grows). */
    @Test
    void anOpenTakesAllTheCallersGroups(@TempDir Path dir) throws Exception {
        Path prog = buildStatic(dir, "as-groups");
        assumeTrue(prog != null, "needs gcc and static glibc for the program");
        ContainerConfig c = container(dir, "/opt/as-groups 1000 100 /secret/group > /out/all;"
                + " /opt/as-groups 1000 99 /secret/group > /out/fewer");
        Files.copy(prog, dir.resolve("rootfs/opt/as-groups"));
        Path file = dir.resolve("rootfs/secret/group");
        Files.writeString(file, "g\n");
        Files.setAttribute(file, "unix:gid", 2099);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        Outcome o = run(c, "sandbox/read:on\nallow/read+/***\n");
        assertEquals(0, o.status());
        assertEquals("ok", Files.readString(dir.resolve("out/all")).strip(), "group 2099 is the 100th");
        assertEquals("Permission denied", Files.readString(dir.resolve("out/fewer")).strip());
    }

    /**
     * /proc/mounts is a link to self/mounts, and proc's self names no one for a
     * worker outside the container's pid namespace: the open is walked again
     * with self read as the caller, so the files under it open as they would
     * for the caller (absolute, relative and through another link).
     */
    @Test
    void filesBehindProcSelfLinksOpen(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "cat /proc/mounts > /out/abs; cd /proc && cat mounts > /out/rel;"
                + " cat /etc/mtab > /out/mtab; echo done > /out/end");
        Files.createSymbolicLink(dir.resolve("rootfs/etc/mtab"), Path.of("../proc/self/mounts"));
        Outcome o = run(c, "sandbox/read:on\nallow/read+/***\n");
        assertEquals(0, o.status());
        for (String f : List.of("abs", "rel", "mtab")) {
            String mounts = Files.readString(dir.resolve("out/" + f));
            assertTrue(mounts.lines().anyMatch(l -> l.startsWith("proc /proc proc ")), f + ": " + mounts + o.log());
        }
    }


    /**
     * The latency one supervised open adds: the same loop of 10,000 openat+close
     * without a policy and under one that confines reads (an allow rule decides,
     * so every open is answered with CONTINUE). Prints the numbers; asserts only
     * that the supervised run was really supervised.
     */
    @Test
    void measuresTheCostOfASupervisedOpen(@TempDir Path dir) throws Exception {
        Path loop = openLoop(dir);
        assumeTrue(loop != null, "needs gcc and static glibc for the open loop");
        int n = 10_000;
        long[] plain = new long[3];
        long[] supervised = new long[3];
        boolean sync = false;
        for (int round = 0; round < 3; round++) {
            Path d1 = Files.createDirectory(dir.resolve("plain" + round));
            ContainerConfig a = container(d1, "/opt/open-loop /etc/passwd " + n + " > /out/ns");
            Files.copy(loop, d1.resolve("rootfs/opt/open-loop"));
            assertEquals(0, plainRun(a));
            plain[round] = Long.parseLong(Files.readString(d1.resolve("out/ns")).strip());
            Path d2 = Files.createDirectory(dir.resolve("supervised" + round));
            ContainerConfig b = container(d2, "/opt/open-loop /etc/passwd " + n + " > /out/ns");
            Files.copy(loop, d2.resolve("rootfs/opt/open-loop"));
            Outcome o = run(b, "sandbox/read:on\nallow/read+/***\n");
            assertEquals(0, o.status());
            assertTrue(o.handled() >= n, "only " + o.handled() + " notifications");
            supervised[round] = Long.parseLong(Files.readString(d2.resolve("out/ns")).strip());
            sync = o.syncWakeUp();
        }
        long p = java.util.Arrays.stream(plain).min().orElseThrow();
        long q = java.util.Arrays.stream(supervised).min().orElseThrow();
        System.out.printf("open+close: %d ns plain, %d ns supervised (best of 3 x %d): +%d ns, ratio %.1f;"
                + " sync wake-up %s%n", p, q, n, q - p, (double) q / p, sync ? "on" : "refused");
    }

    /**
     * The TOCTOU race: a container thread flips a path buffer between an allowed
     * and a denied file while another opens it, 100,000 times. Every open that
     * succeeds must have the allowed file's content: the supervisor opens what it
     * checked (ADDFD), the kernel never reads the buffer again.
     */
    @Test
    void aPathSwappedAfterTheCheckNeverOpensTheDeniedFile(@TempDir Path dir) throws Exception {
        ContainerConfig c = raceContainer(dir, "/ok/file /no/file 100000");
        assumeTrue(c != null, "needs gcc and static glibc for the race program");
        Path rootfs = dir.resolve("rootfs");
        Files.writeString(rootfs.resolve("ok/file"), "ALLOWED\n");
        Files.writeString(rootfs.resolve("no/file"), "DENIED\n");
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                deny/read+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = counts(dir);
        long leaked = Long.parseLong(counts[0]);
        long allowed = Long.parseLong(counts[1]);
        long refused = Long.parseLong(counts[2]);
        System.out.printf("TOCTOU race: %d denied opens succeeded, %d allowed ones, %d refused%n", leaked, allowed,
                refused);
        assertEquals(0, leaked, "opens of the denied file got through");
        assertTrue(allowed > 1000, "the allowed file was opened only " + allowed + " times");
        assertTrue(refused > 1000, "the denied file was asked for only " + refused + " times: no race happened");
        assertTrue(o.log().contains("\"path\":\"/no/file\",\"action\":\"deny\""), o.log().lines().findFirst()
                .orElse("no log"));
    }

    /**
     * What the supervisor's own opens must get right: relative names from the cwd,
     * the caller's umask on a created file, O_EXCL, /proc/self naming the caller,
     * the caller's fds through /dev/stdin and /proc/self/fd, and the standard
     * devices; an unknown block device is refused.
     */
    @Test
    void emulatedOpensBehaveAsTheKernelsOwn(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "cd /etc && cat passwd > /out/rel;"
                + " umask 027; echo x > /tmp/new; stat -c %a /tmp/new > /out/mode;"
                + " set -C; (echo y > /tmp/new) 2> /out/excl; echo $? >> /out/excl;"
                + " grep '^Pid:' /proc/self/status > /out/self; echo $$ > /out/shell;"
                + " echo through | cat /dev/stdin > /out/stdin; echo fd | cat /proc/self/fd/0 > /out/fd0;"
                + " echo z > /dev/null; echo $? > /out/null; head -c 4 /dev/zero | wc -c > /out/zero;"
                + " mknod /tmp/disk b 7 0; cat /tmp/disk > /dev/null 2> /out/disk; echo $? >> /out/disk");
        Outcome o = run(c, """
                sandbox/read,write,create:on
                allow/read,write,create+/***
                """);
        Path out = dir.resolve("out");
        assertEquals(0, o.status(), o.log());
        assertTrue(Files.readString(out.resolve("rel")).contains("root:"));
        assertEquals("640", Files.readString(out.resolve("mode")).strip());
        assertTrue(Files.readString(out.resolve("excl")).strip().endsWith("1"), Files.readString(out.resolve("excl")));
        assertTrue(Files.readString(out.resolve("self")).matches("Pid:\\s+\\d+\\s*"),
                Files.readString(out.resolve("self")));
        assertEquals("through", Files.readString(out.resolve("stdin")).strip());
        assertEquals("fd", Files.readString(out.resolve("fd0")).strip());
        assertEquals("0", Files.readString(out.resolve("null")).strip());
        assertEquals("4", Files.readString(out.resolve("zero")).strip());
        String disk = Files.readString(out.resolve("disk"));
        assertTrue(disk.strip().endsWith("1") && disk.contains("not permitted"), disk);
        assertTrue(o.handled() > 5, "the opens were supervised");
    }

    /**
     * The syscalls that would get around the supervisor are refused while a
     * category is on (each works, or fails otherwise, without a policy: the
     * bypass program's own run on the host shows the difference).
     */
    @Test
    void theWaysAroundTheSupervisorAreRefused(@TempDir Path dir) throws Exception {
        Path bypass = buildStatic(dir, "bypass");
        assumeTrue(bypass != null, "needs gcc and static glibc for the bypass program");
        ContainerConfig c = container(dir, "/opt/bypass > /out/errnos");
        Files.copy(bypass, dir.resolve("rootfs/opt/bypass"));
        Outcome o = run(c, "sandbox/read:on\nallow/read+/***\n");
        assertEquals(0, o.status(), o.log());
        java.util.Map<String, Integer> got = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve("out/errnos"))) {
            String[] f = line.split(" ");
            got.put(f[0], Integer.parseInt(f[1]));
        }
        java.util.Map<String, Integer> want = new java.util.TreeMap<>();
        for (SupervisedSyscalls.Refusal r : SupervisedSyscalls.allRefusals()) {
            want.put(r.name(), r.errno());
        }
        assertEquals(want, got);
    }

    /**
     * The path calls the supervisor makes itself (mkdir, symlink, rename, chmod,
     * chown, rmdir, unlink, link) act as the kernel's own would: relative names
     * from the cwd, the caller's umask, and a denied one refused.
     */
    @Test
    void emulatedPathCallsBehaveAsTheKernelsOwn(@TempDir Path dir) throws Exception {
        ContainerConfig c = container(dir, "umask 027; mkdir /tmp/d; stat -c %a /tmp/d > /out/dmode;"
                + " cd /tmp && mkdir rel && ln -s rel link && readlink link > /out/link;"
                + " mv rel rel2 && ls -d /tmp/rel2 > /out/mv; chmod 700 rel2; stat -c %a rel2 >> /out/mv;"
                + " chown 1:2 rel2; stat -c %u:%g rel2 >> /out/mv; rmdir rel2; rm link; rmdir d; ls /tmp > /out/ls;"
                + " touch f; ln f hard; stat -c %h f > /out/hard;"
                + " mkdir /secret/sub 2> /out/denied; echo $? >> /out/denied");
        Outcome o = run(c, """
                sandbox/write,create:on
                allow/write,create+/tmp/***
                allow/write,create+/out/***
                allow/write,create+/dev/***
                """);
        Path out = dir.resolve("out");
        assertEquals(0, o.status(), o.log());
        assertEquals("750", Files.readString(out.resolve("dmode")).strip());
        assertEquals("rel", Files.readString(out.resolve("link")).strip());
        assertEquals(List.of("/tmp/rel2", "700", "1:2"), Files.readString(out.resolve("mv")).strip().lines().toList());
        assertEquals("", Files.readString(out.resolve("ls")).strip());
        assertEquals("2", Files.readString(out.resolve("hard")).strip());
        String denied = Files.readString(out.resolve("denied"));
        assertTrue(denied.contains("Permission denied") && denied.strip().endsWith("1"), denied);
        assertFalse(Files.exists(dir.resolve("rootfs/secret/sub")));
        assertTrue(o.log().contains("\"syscall\":\"mkdir\",\"category\":\"create\",\"path\":\"/secret/sub\""),
                o.log());
    }

    /** The same race on mkdir, which the supervisor also makes itself: 20,000 tries, no denied directory made. */
    @Test
    void aPathSwappedAfterTheCheckNeverMakesTheDeniedDirectory(@TempDir Path dir) throws Exception {
        ContainerConfig c = raceContainer(dir, "/ok/dir /no/dir 20000 mkdir");
        assumeTrue(c != null, "needs gcc and static glibc for the race program");
        Outcome o = run(c, """
                sandbox/create:on
                allow/create+/***
                deny/create+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = counts(dir);
        System.out.printf("TOCTOU race on mkdir: %s denied made, %s allowed, %s refused%n", counts[0], counts[1],
                counts[2]);
        assertEquals("0", counts[0], "mkdirs of the denied name got through");
        assertTrue(Long.parseLong(counts[1]) > 20, "the allowed directory was made only " + counts[1] + " times");
        assertTrue(Long.parseLong(counts[2]) > 20, "only " + counts[2] + " refused: no race happened");
    }
}
