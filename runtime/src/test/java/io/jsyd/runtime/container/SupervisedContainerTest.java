package io.jsyd.runtime.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
        assumeTrue(BusyboxRootfs.available(), "needs busybox-static at /bin/busybox");
        assumeTrue(Libseccomp.load().isPresent(), "needs libseccomp: " + Libseccomp.unavailableReason());
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
    }

    /** What one supervised run left: the exit status and the decision log. */
    private record Outcome(int status, String log, int handled, boolean syncWakeUp, int threadsStarted) {
    }

    private static Outcome run(ContainerConfig base, String policyText) throws Exception {
        return run(base, policyText, new ByteArrayOutputStream());
    }

    private static Outcome run(ContainerConfig base, String policyText, ByteArrayOutputStream log) throws Exception {
        return run(base, policyText, log, new NotifySupervisor.PoolSize(1, 4, Duration.ofSeconds(1)));
    }

    private static Outcome run(ContainerConfig base, String policyText, ByteArrayOutputStream log,
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

    private static ContainerConfig container(Path dir, String script) throws Exception {
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

    @Test
    void connectToADeniedAddressIsRefusedWhileAnAllowedOneWorks(@TempDir Path dir) throws Exception {
        try (ServerSocket allowed = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             ServerSocket denied = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                try {
                    allowed.accept().close();
                    accepted.incrementAndGet();
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            int a = allowed.getLocalPort();
            int d = denied.getLocalPort();
            // no network namespace: the container reaches the test's loopback listeners
            ContainerConfig c = container(dir, "echo hi | nc -w 2 127.0.0.1 " + a + "; echo $? > /out/a;"
                    + " echo hi | nc 127.0.0.1 " + d + " 2> /out/err; echo $? > /out/d");
            Outcome o = run(c, "sandbox/net/connect:on\nallow/net/connect+127.0.0.1!" + a + "\n");
            assertEquals(0, o.status());
            server.join(2000);
            assertEquals(1, accepted.get(), "the allowed connection reached its listener");
            denied.setSoTimeout(200);
            boolean reached;
            try {
                denied.accept().close();
                reached = true;
            } catch (SocketTimeoutException e) {
                reached = false;
            }
            assertFalse(reached, "the denied connection reached its listener");
            assertEquals("0", Files.readString(dir.resolve("out/a")).strip());
            assertEquals("1", Files.readString(dir.resolve("out/d")).strip());
            assertTrue(Files.readString(dir.resolve("out/err")).contains("refused"),
                    Files.readString(dir.resolve("out/err")));
            assertTrue(o.log().contains("\"syscall\":\"connect\",\"category\":\"net/connect\",\"addr\":\"127.0.0.1!"
                    + d + "\",\"action\":\"deny\""), o.log());
        }
    }

    /** sendmsg and sendmmsg name their destinations inside struct msghdr: each is checked as sendto's is. */
    @Test
    void datagramsToADeniedAddressAreRefusedWhateverTheSyscall(@TempDir Path dir) throws Exception {
        Path send = buildStatic(dir, "send-msg");
        assumeTrue(send != null, "needs gcc and static glibc for the sending program");
        try (java.net.DatagramSocket allowed = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             java.net.DatagramSocket denied = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int a = allowed.getLocalPort();
            int d = denied.getLocalPort();
            ContainerConfig c = container(dir, "/opt/send-msg sendmsg " + a + " > /out/a; /opt/send-msg sendmsg " + d
                    + " > /out/d; /opt/send-msg sendmmsg " + a + " " + d + " > /out/m");
            Files.copy(send, dir.resolve("rootfs/opt/send-msg"));
            Outcome o = run(c, "sandbox/net/connect:on\nallow/net/connect+127.0.0.1!" + a + "\n");
            assertEquals(0, o.status());
            assertEquals("ok 2", Files.readString(dir.resolve("out/a")).strip());
            assertEquals("Connection refused", Files.readString(dir.resolve("out/d")).strip());
            assertEquals("Connection refused", Files.readString(dir.resolve("out/m")).strip(),
                    "one denied destination refuses the whole sendmmsg");
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
            allowed.setSoTimeout(2000);
            allowed.receive(p);
            assertEquals("hi", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            denied.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> denied.receive(p), "a denied datagram arrived");
            assertTrue(o.log().contains("\"syscall\":\"sendmsg\",\"category\":\"net/connect\",\"addr\":\"127.0.0.1!"
                    + d + "\",\"action\":\"deny\""), o.log());
            assertTrue(o.log().contains("\"syscall\":\"sendmmsg\",\"category\":\"net/connect\",\"addr\":\"127.0.0.1!"
                    + d + "\",\"action\":\"deny\""), o.log());
        }
    }

    /**
     * net/sendfd: fds passed with SCM_RIGHTS only to the UNIX sockets the policy
     * names, by the message's destination or, on a connected socket, its peer; a
     * socketpair's peer has no name, so the default; bytes alone are not checked.
     */
    @Test
    void fdsArePassedOnlyToTheSocketsAllowed(@TempDir Path dir) throws Exception {
        Path send = buildStatic(dir, "send-msg");
        assumeTrue(send != null, "needs gcc and static glibc for the sending program");
        ContainerConfig c = container(dir, "cd /tmp; s=/opt/send-msg;"
                + " $s fd-to /tmp/ok.sock > /out/to-ok; $s fd-to /tmp/no.sock > /out/to-no;"
                + " $s fd-connected /tmp/ok2.sock > /out/conn-ok; $s fd-connected /tmp/no2.sock > /out/conn-no;"
                + " $s fd-pair > /out/pair; $s plain-connected /tmp/no3.sock > /out/plain");
        Files.copy(send, dir.resolve("rootfs/opt/send-msg"));
        Outcome o = run(c, "sandbox/net/sendfd:on\nallow/net/sendfd+/tmp/ok*.sock\n");
        assertEquals(0, o.status());
        Path out = dir.resolve("out");
        assertEquals("ok 2", Files.readString(out.resolve("to-ok")).strip());
        assertEquals("Permission denied", Files.readString(out.resolve("to-no")).strip());
        assertEquals("ok 2", Files.readString(out.resolve("conn-ok")).strip());
        assertEquals("Permission denied", Files.readString(out.resolve("conn-no")).strip());
        assertEquals("Permission denied", Files.readString(out.resolve("pair")).strip());
        assertEquals("ok 2", Files.readString(out.resolve("plain")).strip());
        for (String subject : List.of("/tmp/no.sock", "/tmp/no2.sock", "!unnamed")) {
            assertTrue(o.log().contains("\"syscall\":\"sendmsg\",\"category\":\"net/sendfd\",\"addr\":\"" + subject
                    + "\",\"action\":\"deny\""), o.log());
        }
    }

    /**
     * connect, bind and sendto are made by the supervisor on the caller's socket
     * (pidfd_getfd): an allowed datagram arrives, a denied one is refused; a UNIX
     * socket bound by the supervisor appears in the container's root, from the
     * caller's cwd, with the caller's owner and umask; a connection it makes
     * carries the caller's uid and gid to the listener (SO_PEERCRED).
     */
    @Test
    void allowedSocketCallsActAsTheCallersOwn(@TempDir Path dir) throws Exception {
        Path calls = buildStatic(dir, "socket-calls");
        assumeTrue(calls != null, "needs gcc and static glibc for the socket program");
        try (java.net.DatagramSocket allowed = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             java.net.DatagramSocket denied = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int a = allowed.getLocalPort();
            int d = denied.getLocalPort();
            ContainerConfig c = container(dir, "s=/opt/socket-calls; $s sendto " + a + " > /out/a; $s sendto " + d
                    + " > /out/d; umask 027; $s bind /s/ok.sock 1000 1001 > /out/bind;"
                    + " cd /s && $s bind rel.sock 0 0 > /out/rel; $s bind /s/no.sock 0 0 > /out/no;"
                    + " $s peer /s/peer.sock 1002 1003 > /out/peer");
            Path rootfs = dir.resolve("rootfs");
            Files.copy(calls, rootfs.resolve("opt/socket-calls"));
            Files.createDirectories(rootfs.resolve("s"));
            Files.setPosixFilePermissions(rootfs.resolve("s"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Outcome o = run(c, "sandbox/net/connect,net/bind:on\nallow/net/connect+127.0.0.1!" + a
                    + "\nallow/net/bind+/s/ok.sock\nallow/net/bind+/s/rel.sock\nallow/net/bind,net/connect+/s/peer.sock\n");
            assertEquals(0, o.status(), o.log());
            Path out = dir.resolve("out");
            assertEquals("ok 2", Files.readString(out.resolve("a")).strip());
            assertEquals("Connection refused", Files.readString(out.resolve("d")).strip());
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
            allowed.setSoTimeout(2000);
            allowed.receive(p);
            assertEquals("hi", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            denied.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, () -> denied.receive(p), "a denied datagram arrived");
            assertEquals("ok", Files.readString(out.resolve("bind")).strip());
            assertEquals("ok", Files.readString(out.resolve("rel")).strip());
            assertEquals("Permission denied", Files.readString(out.resolve("no")).strip());
            Path sock = rootfs.resolve("s/ok.sock");
            assertEquals(0140000, (int) Files.getAttribute(sock, "unix:mode") & 0170000, "a socket file in the container's root");
            assertEquals(1000, (int) Files.getAttribute(sock, "unix:uid"));
            assertEquals(1001, (int) Files.getAttribute(sock, "unix:gid"));
            assertEquals(0750, (int) Files.getAttribute(sock, "unix:mode") & 07777);
            assertTrue(Files.exists(rootfs.resolve("s/rel.sock")), "a relative name is bound from the caller's cwd");
            assertFalse(Files.exists(rootfs.resolve("s/no.sock")));
            assertEquals("uid 1002 gid 1003", Files.readString(out.resolve("peer")).strip(),
                    "the listener sees the caller's ids on a connection the supervisor made");
            assertFalse(Files.exists(Path.of("/s/ok.sock")), "bound outside the container's root");
            assertTrue(o.log().contains("\"syscall\":\"sendto\",\"category\":\"net/connect\",\"addr\":\"127.0.0.1!"
                    + d + "\",\"action\":\"deny\""), o.log());
            assertTrue(o.log().contains("\"syscall\":\"bind\",\"category\":\"net/bind\",\"addr\":\"/s/no.sock\""),
                    o.log());
        }
    }

    /**
     * The TOCTOU attack on connect: one container thread flips the sockaddr's
     * port between an allowed and a denied listener while another connects,
     * 20,000 times. The supervisor connects with its own copy of the address it
     * checked, so the denied listener never sees a connection.
     */
    @Test
    void anAddressSwappedAfterTheCheckNeverConnectsToTheDeniedPort(@TempDir Path dir) throws Exception {
        Path calls = buildStatic(dir, "socket-calls");
        assumeTrue(calls != null, "needs gcc and static glibc for the socket program");
        try (ServerSocket allowed = new ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress());
             ServerSocket denied = new ServerSocket(0, 1000, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger toAllowed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger toDenied = new java.util.concurrent.atomic.AtomicInteger();
            for (var l : List.of(java.util.Map.entry(allowed, toAllowed), java.util.Map.entry(denied, toDenied))) {
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (true) {
                            l.getKey().accept().close();
                            l.getValue().incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // closed at the end of the test
                    }
                });
            }
            int a = allowed.getLocalPort();
            int d = denied.getLocalPort();
            ContainerConfig c = container(dir, "/opt/socket-calls race " + a + " " + d + " 20000 > /out/counts");
            Files.copy(calls, dir.resolve("rootfs/opt/socket-calls"));
            Outcome o = run(c, "sandbox/net/connect:on\nallow/net/connect+127.0.0.1!" + a + "\n");
            assertEquals(0, o.status());
            String[] counts = Files.readString(dir.resolve("out/counts")).strip().split(" ");
            Thread.sleep(200);
            System.out.printf("TOCTOU race on connect: %d reached the denied port, %s connected, %s refused%n",
                    toDenied.get(), counts[0], counts[1]);
            assertEquals(0, toDenied.get(), "connections to the denied port got through");
            assertTrue(Long.parseLong(counts[0]) > 1000, "only " + counts[0] + " allowed connects");
            assertTrue(Long.parseLong(counts[1]) > 1000, "only " + counts[1] + " refused: no race happened");
        }
    }

    /**
     * sendmsg and sendmmsg are made by the supervisor from the messages it
     * decided on: both datagrams of a sendmmsg arrive and their msg_len come back;
     * an fd passed with SCM_RIGHTS arrives as the caller's (it writes into the
     * caller's pipe), with the caller's own SCM_CREDENTIALS.
     */
    @Test
    void messagesAreSentByTheSupervisorAsDecided(@TempDir Path dir) throws Exception {
        Path calls = buildStatic(dir, "socket-calls");
        assumeTrue(calls != null, "needs gcc and static glibc for the socket program");
        try (java.net.DatagramSocket allowed = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int a = allowed.getLocalPort();
            ContainerConfig c = container(dir, "s=/opt/socket-calls; $s mmsg " + a + " > /out/mmsg;"
                    + " $s passfd /tmp/fd.sock > /out/fd");
            Files.copy(calls, dir.resolve("rootfs/opt/socket-calls"));
            Outcome o = run(c, "sandbox/net/connect,net/sendfd:on\nallow/net/connect+127.0.0.1!" + a
                    + "\nallow/net/connect,net/sendfd+/tmp/fd.sock\n");
            assertEquals(0, o.status(), o.log());
            assertEquals("sent 2 len 2 5", Files.readString(dir.resolve("out/mmsg")).strip());
            assertEquals("fd ok uid 0 gid 0", Files.readString(dir.resolve("out/fd")).strip());
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
            allowed.setSoTimeout(2000);
            List<String> got = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                allowed.receive(p);
                got.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
            }
            assertEquals(List.of("hi", "there"), got);
        }
    }

    /** The race on sendmsg's msg_name: 20,000 datagrams, none reaches the denied port. */
    @Test
    void aDestinationSwappedAfterTheCheckNeverGetsTheDatagram(@TempDir Path dir) throws Exception {
        Path calls = buildStatic(dir, "socket-calls");
        assumeTrue(calls != null, "needs gcc and static glibc for the socket program");
        try (java.net.DatagramSocket allowed = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
             java.net.DatagramSocket denied = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger toDenied = new java.util.concurrent.atomic.AtomicInteger();
            Thread.ofPlatform().daemon().start(() -> {
                java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
                try {
                    while (true) {
                        denied.receive(p);
                        toDenied.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            int a = allowed.getLocalPort();
            int d = denied.getLocalPort();
            ContainerConfig c = container(dir, "/opt/socket-calls race " + a + " " + d + " 20000 sendmsg > /out/counts");
            Files.copy(calls, dir.resolve("rootfs/opt/socket-calls"));
            Outcome o = run(c, "sandbox/net/connect:on\nallow/net/connect+127.0.0.1!" + a + "\n");
            assertEquals(0, o.status());
            String[] counts = Files.readString(dir.resolve("out/counts")).strip().split(" ");
            Thread.sleep(200);
            System.out.printf("TOCTOU race on sendmsg: %d reached the denied port, %s sent, %s refused%n",
                    toDenied.get(), counts[0], counts[1]);
            assertEquals(0, toDenied.get(), "datagrams to the denied port got through");
            assertTrue(Long.parseLong(counts[0]) > 1000, "only " + counts[0] + " allowed sends");
            assertTrue(Long.parseLong(counts[1]) > 1000, "only " + counts[1] + " refused: no race happened");
        }
    }

    /**
     * A caller interrupted in a connect the supervisor makes for it (blocked: the
     * listener's backlog is full) must not leave the supervisor's copy of the
     * connect waiting: six interrupted connects, more than the pool's four
     * threads, and none of them connects once the backlog has room again.
     */
    @Test
    void anInterruptedCallerLeavesNoConnectBehind(@TempDir Path dir) throws Exception {
        Path calls = buildStatic(dir, "socket-calls");
        assumeTrue(calls != null, "needs gcc and static glibc for the socket program");
        ContainerConfig c = container(dir, "/opt/socket-calls interrupt /tmp/l.sock 6 > /out/counts");
        Files.copy(calls, dir.resolve("rootfs/opt/socket-calls"));
        Outcome o = run(c, "sandbox/net/connect,net/bind:on\nallow/net/connect,net/bind+/tmp/l.sock\n");
        assertEquals(0, o.status(), o.log());
        assertEquals("eintr 6 extra 0", Files.readString(dir.resolve("out/counts")).strip());
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

    private static int plainRun(ContainerConfig c) {
        try (InitStub stub = InitStub.load()) {
            Launched l = new ContainerLauncher(stub, HostView.system()).launch(c);
            l.fds().forEach(Fd::close);
            return Processes.waitFor(l.initPid()).exitCode();
        }
    }

    /** runtime/src/test/c/open-loop.c built static into {@code dir}, or null without gcc. */
    private static Path openLoop(Path dir) throws Exception {
        return buildStatic(dir, "open-loop");
    }

    /** runtime/src/test/c/NAME.c built static (with threads) into {@code dir}, or null without gcc. */
    private static Path buildStatic(Path dir, String name) throws Exception {
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
        Path race = buildStatic(dir, "toctou-open");
        assumeTrue(race != null, "needs gcc and static glibc for the race program");
        ContainerConfig c = container(dir, "/opt/toctou-open /ok/file /no/file 100000 > /out/counts");
        Path rootfs = dir.resolve("rootfs");
        Files.copy(race, rootfs.resolve("opt/toctou-open"));
        Files.createDirectories(rootfs.resolve("ok"));
        Files.createDirectories(rootfs.resolve("no"));
        Files.writeString(rootfs.resolve("ok/file"), "ALLOWED\n");
        Files.writeString(rootfs.resolve("no/file"), "DENIED\n");
        Outcome o = run(c, """
                sandbox/read:on
                allow/read+/***
                deny/read+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = Files.readString(dir.resolve("out/counts")).strip().split(" ");
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
        Path race = buildStatic(dir, "toctou-open");
        assumeTrue(race != null, "needs gcc and static glibc for the race program");
        ContainerConfig c = container(dir, "/opt/toctou-open /ok/dir /no/dir 20000 mkdir > /out/counts");
        Path rootfs = dir.resolve("rootfs");
        Files.copy(race, rootfs.resolve("opt/toctou-open"));
        Files.createDirectories(rootfs.resolve("ok"));
        Files.createDirectories(rootfs.resolve("no"));
        Outcome o = run(c, """
                sandbox/create:on
                allow/create+/***
                deny/create+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = Files.readString(dir.resolve("out/counts")).strip().split(" ");
        System.out.printf("TOCTOU race on mkdir: %s denied made, %s allowed, %s refused%n", counts[0], counts[1],
                counts[2]);
        assertEquals("0", counts[0], "mkdirs of the denied name got through");
        assertTrue(Long.parseLong(counts[1]) > 20, "the allowed directory was made only " + counts[1] + " times");
        assertTrue(Long.parseLong(counts[2]) > 20, "only " + counts[2] + " refused: no race happened");
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
        Path race = buildStatic(dir, "toctou-open");
        assumeTrue(race != null, "needs gcc and static glibc for the race program");
        ContainerConfig c = container(dir, "/opt/toctou-open /ok/file /no/file 30000 stat > /out/counts");
        Path rootfs = dir.resolve("rootfs");
        Files.copy(race, rootfs.resolve("opt/toctou-open"));
        Files.createDirectories(rootfs.resolve("ok"));
        Files.createDirectories(rootfs.resolve("no"));
        Files.writeString(rootfs.resolve("ok/file"), "ALLOWED\n");
        Files.writeString(rootfs.resolve("no/file"), "DENIED\n");
        Outcome o = run(c, """
                sandbox/stat:on
                allow/stat+/***
                deny/stat+/no/***
                """);
        assertEquals(0, o.status());
        String[] counts = Files.readString(dir.resolve("out/counts")).strip().split(" ");
        System.out.printf("TOCTOU race on stat: %s denied stats succeeded, %s allowed, %s refused%n", counts[0],
                counts[1], counts[2]);
        assertEquals("0", counts[0], "stats of the denied file got through");
        assertTrue(Long.parseLong(counts[1]) > 1000, "the allowed file was statted only " + counts[1] + " times");
        assertTrue(Long.parseLong(counts[2]) > 1000, "only " + counts[2] + " refused: no race happened");
        assertTrue(o.log().contains("\"path\":\"/no/file\",\"action\":\"deny\""), o.log().lines().findFirst()
                .orElse("no log"));
    }

}
