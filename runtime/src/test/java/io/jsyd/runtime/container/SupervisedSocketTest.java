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
 * Real containers under a network policy: connect, bind, sendto, sendmsg and
 * sendmmsg, decided and made by the supervisor.
 */
@Tag("root")
class SupervisedSocketTest {
    @BeforeAll
    static void rootBusyboxAndNotify() {
        SupervisedRuns.assumeRootBusyboxAndNotify();
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
            String[] counts = counts(dir);
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
            String[] counts = counts(dir);
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
}
