package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Runs of real containers under a sandbox policy, for the supervisor's tests, and the programs they use. */
final class SupervisedRuns {
    private SupervisedRuns() {
    }

    /** What a supervised run needs: root, busybox-static, libseccomp that offers SCMP_ACT_NOTIFY. */
    static void assumeRootBusyboxAndNotify() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), "needs libseccomp: " + Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
    }

    /** What one supervised run left: the exit status and the decision log. */
    record Outcome(int status, String log, int handled, boolean syncWakeUp, int threadsStarted) {
    }

    static Outcome run(ContainerConfig base, String policyText) throws Exception {
        return run(base, policyText, new ByteArrayOutputStream());
    }

    static Outcome run(ContainerConfig base, String policyText, ByteArrayOutputStream log) throws Exception {
        return run(base, policyText, log, new NotifySupervisor.PoolSize(1, 4, Duration.ofSeconds(1)));
    }

    static Outcome run(ContainerConfig base, String policyText, ByteArrayOutputStream log,
            NotifySupervisor.PoolSize pool) throws Exception {
        Policy policy = PolicyParser.parse("test policy", policyText);
        var filter = SeccompCompiler.system().compile(SupervisedSyscalls.program(policy)).filter();
        ContainerConfig c = base.withProcess(base.process().withSupervisor(filter));
        AtomicReference<NotifySupervisor> supervisor = new AtomicReference<>();
        AtomicReference<Integer> init = new AtomicReference<>();
        try (InitStub stub = InitStub.load(); PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c, null, (fd, pid) -> {
            }, (fd, pid) -> {
                init.set(pid);
                supervisor.set(NotifySupervisor.start(fd.dupAtLeast(3), policy.compile(), new DecisionLog(ps, "t"),
                        () -> Processes.signalIfAlive(init.get(), 9),
                        pool, "t-notify"));
            });
            l.fds().forEach(Fd::close);
            int status = Processes.waitFor(l.initPid()).exitCode();
            NotifySupervisor s = supervisor.get();
            assertTrue(s.awaitHangup(Duration.ofSeconds(5)), "the pool sees the container go");
            for (int i = 0; i < 50 && s.liveThreads() > 0; i++) {
                Thread.sleep(20);
            }
            assertEquals(0, s.liveThreads(), "every worker ends with the container");
            s.close();
            return new Outcome(status, log.toString(StandardCharsets.UTF_8), s.handled(), s.syncWakeUp(),
                    s.threadsStarted());
        }
    }

    static ContainerConfig container(Path dir, String script) throws Exception {
        Path rootfs = BusyboxRootfs.create(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.createDirectories(rootfs.resolve("secret"));
        Files.writeString(rootfs.resolve("secret/key"), "hidden\n");
        // busybox picks the applet by the name it runs as
        Files.createDirectories(rootfs.resolve("opt/tool"));
        Files.createDirectories(rootfs.resolve("opt/other"));
        Files.copy(BusyboxRootfs.BUSYBOX, rootfs.resolve("opt/tool/true"));
        Files.copy(BusyboxRootfs.BUSYBOX, rootfs.resolve("opt/other/true"));
        return ContainerLauncherTest.config(rootfs, out, List.of("sh", "-c", script), List.of());
    }

    static int plainRun(ContainerConfig c) {
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c);
            l.fds().forEach(Fd::close);
            return Processes.waitFor(l.initPid()).exitCode();
        }
    }

    /** runtime/src/test/c/open-loop.c built static into {@code dir}, or null without gcc. */
    static Path openLoop(Path dir) throws Exception {
        return buildStatic(dir, "open-loop");
    }

    /** runtime/src/test/c/NAME.c built static (with threads) into {@code dir}, or null without gcc. */
    static Path buildStatic(Path dir, String name) throws Exception {
        Path source = Path.of("src/test/c/" + name + ".c").toAbsolutePath();
        if (!Files.exists(source)) {
            source = Path.of("runtime/src/test/c/" + name + ".c").toAbsolutePath();
        }
        Path out = dir.resolve(name);
        try {
            Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-static", "-pthread", "-o",
                    out.toString(), source.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? out : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * A container that runs toctou-open.c with {@code args} (the allowed name,
     * the denied one, the tries, the call), /ok and /no made, its counts written
     * to /out/counts ({@link #counts}); null without gcc and static glibc.
     */
    static ContainerConfig raceContainer(Path dir, String args) throws Exception {
        Path race = buildStatic(dir, "toctou-open");
        if (race == null) {
            return null;
        }
        ContainerConfig c = container(dir, "/opt/toctou-open " + args + " > /out/counts");
        Path rootfs = dir.resolve("rootfs");
        Files.copy(race, rootfs.resolve("opt/toctou-open"));
        Files.createDirectories(rootfs.resolve("ok"));
        Files.createDirectories(rootfs.resolve("no"));
        return c;
    }

    /** The numbers a race program left in /out/counts. */
    static String[] counts(Path dir) throws java.io.IOException {
        return Files.readString(dir.resolve("out/counts")).strip().split(" ");
    }
}
