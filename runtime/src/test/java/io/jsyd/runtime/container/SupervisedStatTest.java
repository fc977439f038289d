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

/**
 * Real containers under a stat policy: the stat, access and readlink
 * families, decided and made by the supervisor.
 */
@Tag("root")
class SupervisedStatTest {
    @BeforeAll
    static void rootBusyboxAndNotify() {
        SupervisedRuns.assumeRootBusyboxAndNotify();
    }

    /** A container for stat-calls.c: a link, a file of another owner, a secret only root reads. */
    private static ContainerConfig statContainer(Path dir, Path program, String script) throws Exception {
        ContainerConfig c = container(dir, script);
        Path rootfs = dir.resolve("rootfs");
        Files.copy(program, rootfs.resolve("opt/stat-calls"));
        Files.createSymbolicLink(rootfs.resolve("link"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/mtab"), Path.of("../proc/self/mounts"));
        Files.writeString(rootfs.resolve("owned"), "mine\n");
        Files.setAttribute(rootfs.resolve("owned"), "unix:uid", 1000);
        Files.setAttribute(rootfs.resolve("owned"), "unix:gid", 1001);
        Files.setPosixFilePermissions(rootfs.resolve("secret/key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return c;
    }

    /**
     * The stat, access and readlink families made by the supervisor give what the
     * kernel gives the caller itself: the same lines from a battery of calls (dirfds,
     * AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, statx masks, short readlink buffers, bad
     * buffers, /proc/self, access with real ids apart from effective ones, a user
     * without capabilities) run once without a supervisor and once under one.
     */
    @Test
    void emulatedStatCallsGiveWhatTheKernelGives(@TempDir Path dir) throws Exception {
        Path program = buildStatic(dir, "stat-calls");
        assumeTrue(program != null, "needs gcc and static glibc for the stat program");
        Path plainDir = Files.createDirectory(dir.resolve("plain"));
        assertEquals(0, plainRun(statContainer(plainDir, program, "/opt/stat-calls > /out/lines")));
        Path supervisedDir = Files.createDirectory(dir.resolve("supervised"));
        Outcome o = run(statContainer(supervisedDir, program, "/opt/stat-calls > /out/lines"), """
                sandbox/stat:on
                allow/stat+/***
                """);
        assertEquals(0, o.status(), o.log());
        List<String> plain = Files.readAllLines(plainDir.resolve("out/lines"));
        List<String> supervised = Files.readAllLines(supervisedDir.resolve("out/lines"));
        assertEquals(plain, supervised);
        assertTrue(o.handled() >= plain.size(), "only " + o.handled() + " notifications");
        // the battery means something: the calls it makes succeed and fail as designed
        java.util.Map<String, String> line = new java.util.HashMap<>();
        for (String l : plain) {
            line.put(l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1));
        }
        assertEquals("-1 13", line.get("access-real"));
        assertEquals("0 0", line.get("faccessat2-effective"));
        assertEquals("-1 13", line.get("access-user"));
        assertEquals("0 0", line.get("access-user-owned"));
        assertTrue(line.get("stat-owned").contains("uid=1000 gid=1001"), line.get("stat-owned"));
        assertEquals("3 /et|x", line.get("readlink-short"));
        assertEquals("15 /opt/stat-calls|x", line.get("readlink-self"));
        assertEquals("15 /opt/stat-calls|x", line.get("readlink-user-self"));
        assertEquals("15 /opt/stat-calls|x", line.get("readlink-self-uncapable"));
        assertEquals("11 /etc/passwd|x", line.get("readlink-self-fd"));
        assertEquals("0 0", line.get("access-self-exe"));
        assertTrue(line.get("stat-mtab").startsWith("0 mode=100444"), line.get("stat-mtab"));
        assertEquals("0 0", line.get("access-proc-net"));
        assertTrue(line.get("stat-relative-net").startsWith("0 mode=100444"), line.get("stat-relative-net"));
        assertEquals("-1 14", line.get("stat-fault"));
        assertEquals("-1 2", line.get("stat-missing-fault"));
        assertEquals("-1 9", line.get("fstatat-negfd"));
        assertTrue(line.get("statx-mask").startsWith("0 mask="), line.get("statx-mask"));
        assertTrue(line.get("fstatat-empty").startsWith("0 mode=100"), line.get("fstatat-empty"));
        assertTrue(line.get("lstat-link").startsWith("0 mode=120777"), line.get("lstat-link"));
    }

    /**
     * The same battery in a user namespace (0 -> 100000, 65536 ids): owners come
     * back as the container names them, and the caller's own /proc links, which
     * the kernel guards with a ptrace check the supervisor's thread does not pass
     * with the caller's credentials, are still read.
     */
    @Test
    void emulatedStatCallsInAUserNamespaceGiveWhatTheKernelGives(@TempDir Path dir) throws Exception {
        Path program = buildStatic(dir, "stat-calls");
        assumeTrue(program != null, "needs gcc and static glibc for the stat program");
        // the namespace's root must reach the rootfs through the test's directory
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path plainDir = Files.createDirectory(dir.resolve("plain"));
        assertEquals(0, plainRun(inUserNamespace(plainDir,
                statContainer(plainDir, program, "/opt/stat-calls > /out/lines"))));
        Path supervisedDir = Files.createDirectory(dir.resolve("supervised"));
        Outcome o = run(inUserNamespace(supervisedDir,
                statContainer(supervisedDir, program, "/opt/stat-calls > /out/lines")), """
                sandbox/stat:on
                allow/stat+/***
                """);
        assertEquals(0, o.status(), o.log());
        List<String> plain = Files.readAllLines(plainDir.resolve("out/lines"));
        assertEquals(plain, Files.readAllLines(supervisedDir.resolve("out/lines")));
        assertTrue(plain.contains("stat-owned 0 mode=100644 size=5 uid=1000 gid=1001 nlink=1"), plain.toString());
        assertTrue(plain.contains("readlink-self 15 /opt/stat-calls|x"), plain.toString());
    }

    /** {@code base} in a user namespace of its own, its files owned by the ids its root and 1000:1001 map to. */
    private static ContainerConfig inUserNamespace(Path dir, ContainerConfig base) throws Exception {
        List<Namespace> ns = new java.util.ArrayList<>(base.namespaces());
        ns.add(new Namespace(NamespaceKind.USER, null, "linux.namespaces[4]"));
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                boolean owned = p.equals(dir.resolve("rootfs/owned"));
                Files.setAttribute(p, "unix:uid", owned ? 101000 : 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", owned ? 101001 : 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
        return new ContainerConfig(base.id(), base.rootfs(), false, ns, List.of(new IdMapping(0, 100000, 65536)),
                List.of(new IdMapping(0, 100000, 65536)), List.of(), base.mounts(), List.of(), base.maskedPaths(),
                base.readonlyPaths(), base.hostname(), "", java.util.Map.of(), 0, false, base.process(), 0);
    }

    /**
     * What one emulated stat costs: 10,000 stats of one file without a policy and
     * under one that confines stat (each made by the supervisor), interleaved.
     * Prints the numbers; asserts only that the supervised run was supervised.
     */
    @Test
    void measuresTheCostOfASupervisedStat(@TempDir Path dir) throws Exception {
        Path program = buildStatic(dir, "stat-calls");
        assumeTrue(program != null, "needs gcc and static glibc for the stat program");
        int n = 10_000;
        long[] plain = new long[3];
        long[] supervised = new long[3];
        for (int round = 0; round < 3; round++) {
            Path d1 = Files.createDirectory(dir.resolve("plain" + round));
            assertEquals(0, plainRun(statContainer(d1, program, "/opt/stat-calls loop /etc/passwd " + n + " > /out/ns")));
            plain[round] = Long.parseLong(Files.readString(d1.resolve("out/ns")).strip());
            Path d2 = Files.createDirectory(dir.resolve("supervised" + round));
            Outcome o = run(statContainer(d2, program, "/opt/stat-calls loop /etc/passwd " + n + " > /out/ns"),
                    "sandbox/stat:on\nallow/stat+/***\n");
            assertEquals(0, o.status());
            assertTrue(o.handled() >= n, "only " + o.handled() + " notifications");
            supervised[round] = Long.parseLong(Files.readString(d2.resolve("out/ns")).strip());
        }
        long p = java.util.Arrays.stream(plain).min().orElseThrow();
        long q = java.util.Arrays.stream(supervised).min().orElseThrow();
        System.out.printf("stat: %d ns plain, %d ns emulated by the supervisor (best of 3 x %d): +%d ns%n", p, q, n,
                q - p);
    }

    /** A denied name is refused in every call of the family, and nothing is written for it. */
    @Test
    void deniedStatCallsFailWithEacces(@TempDir Path dir) throws Exception {
        Path program = buildStatic(dir, "stat-calls");
        assumeTrue(program != null, "needs gcc and static glibc for the stat program");
        Outcome o = run(statContainer(dir, program, "/opt/stat-calls denied /secret/key > /out/lines;"
                + " /opt/stat-calls denied /link >> /out/lines"), """
                sandbox/stat:on
                allow/stat+/***
                deny/stat+/secret/***
                """);
        assertEquals(0, o.status(), o.log());
        List<String> lines = Files.readAllLines(dir.resolve("out/lines"));
        assertEquals(List.of("stat -1 13", "lstat -1 13", "statx -1 13", "access -1 13", "readlink -1 13"),
                lines.subList(0, 5));
        assertTrue(lines.get(5).startsWith("stat 0 mode=100"), lines.toString());
        assertTrue(lines.get(9).startsWith("readlink 11"), lines.toString());
        for (String call : List.of("newfstatat", "statx", "access", "readlink")) {
            assertTrue(o.log().contains("\"syscall\":\"" + call + "\",\"category\":\"stat\",\"path\":\"/secret/key\""),
                    call + ": " + o.log());
        }
    }

    /** The race on stat: a success with the denied file's size would be a stat the policy refused. */
    @Test
    void aPathSwappedAfterTheCheckNeverStatsTheDeniedFile(@TempDir Path dir) throws Exception {
        ContainerConfig c = raceContainer(dir, "/ok/file /no/file 30000 stat");
        assumeTrue(c != null, "needs gcc and static glibc for the race program");
        Path rootfs = dir.resolve("rootfs");
        Files.writeString(rootfs.resolve("ok/file"), "ALLOWED\n");
        Files.writeString(rootfs.resolve("no/file"), "DENIED\n");
        Outcome o = run(c, """
                sandbox/stat:on
                allow/stat+/***
                deny/stat+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = counts(dir);
        System.out.printf("TOCTOU race on stat: %s denied stats succeeded, %s allowed, %s refused%n", counts[0],
                counts[1], counts[2]);
        assertEquals("0", counts[0], "stats of the denied file got through");
        assertTrue(Long.parseLong(counts[1]) > 1000, "the allowed file was statted only " + counts[1] + " times");
        assertTrue(Long.parseLong(counts[2]) > 1000, "only " + counts[2] + " refused: no race happened");
        assertTrue(o.log().contains("\"path\":\"/no/file\",\"action\":\"deny\""), o.log().lines().findFirst()
                .orElse("no log"));
    }
}
