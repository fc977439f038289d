package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.StubLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container trying to reach the host through its setup: symlink races, the runtime's binary. */
@Tag("root")
class EscapeTest {
    @BeforeAll
    static void rootAndBusybox() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
    }

    private static List<String> mountPointsUnder(Path dir) throws IOException {
        return HostView.parseMountInfo(Files.readAllLines(Path.of("/proc/self/mountinfo"))).stream()
                .map(HostView.MountInfo::mountPoint).filter(p -> p.startsWith(dir.toString())).toList();
    }

    private static ContainerConfig withMounts(ContainerConfig c, List<MountEntry> extra, List<Namespace> namespaces,
                                              ProcessConfig process) {
        List<MountEntry> mounts = new ArrayList<>(c.mounts());
        mounts.addAll(extra);
        return new ContainerConfig(c.id(), c.rootfs(), false, namespaces, c.uidMappings(), c.gidMappings(),
                c.timeOffsets(), mounts, List.of(), List.of(), List.of(), "box", "", Map.of(), 0, false, process, 0);
    }

    /**
     * CVE-2021-30465 class: while the stub sets up a mount on /mnt/a/b, a thread keeps
     * swapping /mnt/a between a directory and a symlink to a host directory. Every
     * path is resolved in the rootfs, so the mount can only land inside it.
     */
    @Test
    void aSymlinkSwappedDuringSetupNeverLeadsOutOfTheRootfs(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        Path victim = Files.createDirectory(dir.resolve("victim"));
        Files.writeString(victim.resolve("marker"), "host\n");
        Path mnt = Files.createDirectories(rootfs.resolve("mnt"));
        Files.createDirectories(mnt.resolve("a/b"));
        Files.createSymbolicLink(mnt.resolve("other"), victim);
        ContainerConfig base = ContainerLauncherTest.config(rootfs, out, List.of("true"), List.of());
        ContainerConfig c = withMounts(base, List.of(new MountEntry("mounts[5]", "/mnt/a/b", "tmpfs", "tmpfs", false,
                false, 0, List.of(), 0, 0, "size=64k")), base.namespaces(), base.process());

        // renameat2(RENAME_EXCHANGE): /mnt/a is the directory or the symlink, never absent
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        List<Throwable> swapFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
        String from = mnt.resolve("a").toString();
        String to = mnt.resolve("other").toString();
        Thread swapper = Thread.ofPlatform().start(() -> {
            try {
                while (!stop.get()) {
                    if (Rename.C.renameat2(Rename.AT_FDCWD, from, Rename.AT_FDCWD, to, Rename.RENAME_EXCHANGE) != 0) {
                        throw new IllegalStateException("renameat2: errno " + com.sun.jna.Native.getLastError());
                    }
                    swaps.incrementAndGet();
                }
            } catch (Throwable t) {
                swapFailures.add(t);
            }
        });
        int ran = 0;
        int refused = 0;
        try (InitStub stub = InitStub.load()) {
            ContainerLauncher launcher = new ContainerLauncher(stub, HostView.system());
            for (int i = 0; i < 150; i++) {
                try {
                    Launched l = launcher.launch(c);
                    assertEquals(0, Processes.waitFor(l.initPid()).exitCode());
                    ran++;
                } catch (KernelException e) {
                    // losing the race may fail the setup (the path moved away), never escape
                    assertTrue(e.getMessage().startsWith("mounts[5]: "), e.getMessage());
                    refused++;
                }
                assertEquals(List.of(), mountPointsUnder(victim));
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        System.out.println("symlink race: " + ran + " runs, " + refused + " refused, " + swaps.get() + " swaps");
        assertEquals(List.of(), swapFailures);
        assertTrue(swaps.get() > 1000, "the swapper raced the setup " + swaps.get() + " times");
        assertEquals(150, ran + refused);
        try (Stream<Path> s = Files.list(victim)) {
            assertEquals(List.of("marker"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("host\n", Files.readString(victim.resolve("marker")));
    }

    /** renameat2(2), which the JDK does not offer. */
    interface Rename extends com.sun.jna.Library {
        Rename C = com.sun.jna.Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, Rename.class);
        int AT_FDCWD = -100;
        int RENAME_EXCHANGE = 2;

        int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags);
    }

    /** An id map the kernel refuses stops the start: the stub and the init are gone. */
    @Test
    void aMapTheKernelRefusesAbortsTheStart(@TempDir Path dir) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        ContainerConfig base = ContainerLauncherTest.config(rootfs, out, List.of("true"),
                List.of(new Namespace(NamespaceKind.USER, null, "linux.namespaces[4] (user)")));
        ContainerConfig c = new ContainerConfig("t", rootfs, false, base.namespaces(),
                List.of(new IdMapping(0, 100000, 100), new IdMapping(50, 200000, 100)), List.of(new IdMapping(0, 100000, 100)),
                List.of(), base.mounts(), List.of(), List.of(), List.of(), "", "", Map.of(), 0, false, base.process(), 0);
        List<Long> before = children();
        try (InitStub stub = InitStub.load()) {
            KernelException e = assertThrows(KernelException.class,
                    () -> new ContainerLauncher(stub, HostView.system()).launch(c));
            assertTrue(e.getMessage().contains("linux.uidMappings"), e.getMessage());
            assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
        }
        assertEquals(before, children());
    }

    private static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).sorted().toList();
    }

    private static byte[] sha256(InputStream in) throws Exception {
        try (in) {
            return MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
        }
    }

    /**
     * CVE-2019-5736 class: a privileged process in a container tries to write the
     * runtime's binary through /proc/PID/exe while the stub of another container
     * (joining its pid namespace) sets that one up, and through /proc/self/exe. The
     * stub runs from a sealed memfd: it can be seen, not changed.
     */
    @Test
    void theStubCannotBeOverwrittenFromAContainer(@TempDir Path dir) throws Exception {
        byte[] stubBefore = sha256(InitStub.class.getResourceAsStream("jsyd-init"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        byte[] javaBefore = sha256(Files.newInputStream(java));
        Path rootfsA = BusyboxRootfs.create(Files.createDirectory(dir.resolve("a")));
        Path rootfsB = BusyboxRootfs.create(Files.createDirectory(dir.resolve("b")));
        Path out = Files.createDirectory(dir.resolve("out"));
        // the attacker writes through /proc/PID/exe while the stub runs (it is executing: ETXTBSY),
        // keeps it open, and writes again once the stub is gone (the memfd is sealed: EPERM)
        String attack = "if echo PWNED >> /proc/self/exe; then echo 'self WROTE'; else echo 'self refused'; fi > /out/self 2>&1;"
                + " while [ ! -f /out/go ]; do sleep 0.01; done;"
                + " for p in /proc/[0-9]*; do exe=$(readlink $p/exe); case \"$exe\" in *busybox|'') ;; *)"
                + " if echo PWNED >> $p/exe; then r=WROTE; else r=refused; fi; echo \"$exe $r\" >> /out/report;"
                + " exec 7< $p/exe;; esac; done 2>> /out/errors; echo done > /out/finished;"
                + " while [ ! -f /out/go2 ]; do sleep 0.01; done;"
                + " if echo PWNED >> /proc/self/fd/7; then r=WROTE; else r=refused; fi 2>> /out/errors;"
                + " echo \"held $(readlink /proc/self/fd/7) $r\" >> /out/report; echo done > /out/finished2; sleep 100";
        ContainerConfig a = ContainerLauncherTest.config(rootfsA, out, List.of("sh", "-c", attack), List.of());
        byte[] heldStub;
        try (InitStub stub = InitStub.load()) {
            Launched attacker = new ContainerLauncher(stub, HostView.system()).launch(a);
            try {
                List<Namespace> ns = List.of(new Namespace(NamespaceKind.MOUNT, null, "ns[0]"),
                        new Namespace(NamespaceKind.PID, Path.of("/proc/" + attacker.initPid() + "/ns/pid"), "ns[1]"));
                ProcessConfig p = a.process();
                ProcessConfig victimProcess = new ProcessConfig(List.of("true"), p.env(), "/", 0, 0, List.of(), null,
                        p.capabilities(), List.of(), false, 0, null, null, null, null, null, null);
                ContainerConfig b = withMounts(ContainerLauncherTest.config(rootfsB, out, List.of("true"), List.of()),
                        List.of(), ns, victimProcess);
                Plan plan = new InitPlanner(HostView.system()).plan(b);
                // hold the victim's stub right after it made the init (oomScoreAdj asks for that sync)
                Launched victim = StubLauncher.launch(stub, plan, 0, (id, pid) -> {
                    if (SyncPoint.of(id) == SyncPoint.INIT_CREATED) {
                        try {
                            Files.writeString(out.resolve("go"), "");
                            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                            while (!Files.exists(out.resolve("finished")) && System.nanoTime() < deadline) {
                                Thread.sleep(10);
                            }
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return SyncPoint.of(id) != SyncPoint.READY;
                });
                assertEquals(0, Processes.waitFor(victim.initPid()).exitCode());
                Files.writeString(out.resolve("go2"), "");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.exists(out.resolve("finished2")) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                // the attacker's fd 7 is the very memfd the stub ran from
                heldStub = sha256(Files.newInputStream(Path.of("/proc/" + attacker.initPid() + "/fd/7")));
            } finally {
                Processes.signalIfAlive(attacker.initPid(), 9);
                Processes.waitFor(attacker.initPid());
            }
        }
        assertTrue(Files.exists(out.resolve("finished")), "the attacker never ran");
        String report = Files.readString(out.resolve("report"));
        System.out.println("exe attack:\n" + report + Files.readString(out.resolve("errors")) + Files.readString(out.resolve("self")));
        assertTrue(report.contains("memfd:jsyd-init"), "the attacker saw the stub: " + report);
        assertFalse(report.contains("WROTE"), report);
        assertTrue(report.contains("held /memfd:jsyd-init (deleted) refused"), report);
        assertArrayEquals(stubBefore, heldStub, "the memfd the stub ran from is unchanged");
        assertEquals("self refused", Files.readString(out.resolve("self")).lines()
                .filter(l -> l.startsWith("self ")).findFirst().orElse(""));
        assertArrayEquals(stubBefore, sha256(InitStub.class.getResourceAsStream("jsyd-init")));
        assertArrayEquals(javaBefore, sha256(Files.newInputStream(java)));
    }
}
