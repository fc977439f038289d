package io.jsyd.runtime.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.policy.Category;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.seccomp.SeccompAction;
import io.jsyd.runtime.seccomp.SyscallRule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SupervisorUnitTest {
    @Test
    void pathsAreResolvedLexicallyNeverAboveTheRoot() {
        assertEquals("/etc/passwd", ContainerPaths.normalize("", "/etc//./passwd"));
        assertEquals("/secret/key", ContainerPaths.normalize("/home/u", "../../secret/./key"));
        assertEquals("/key", ContainerPaths.normalize("/", "../../../key"));
        // the fast path takes only what normalize would give back unchanged
        for (String p : java.util.List.of("/etc/passwd", "/", "/a//b", "/a/./b", "/a/../b", "/a/", "/.x", "/a/b.c")) {
            if (ContainerPaths.isNormal(p)) {
                assertEquals(ContainerPaths.normalize("", p), p);
            }
        }
        assertTrue(ContainerPaths.isNormal("/etc/passwd"));
        assertFalse(ContainerPaths.isNormal("/a/../b"));
        assertEquals(0, ContainerPaths.magicFd("/dev/stdin"));
        assertEquals(7, ContainerPaths.magicFd("/proc/self/fd/7"));
        assertEquals(3, ContainerPaths.magicFd("/proc/thread-self/fd/3"));
        assertEquals(5, ContainerPaths.magicFd("/dev/fd/5"));
        assertEquals(-1, ContainerPaths.magicFd("/proc/self/fdinfo/5"));
        assertEquals(-1, ContainerPaths.magicFd("/etc/fd/5"));
        assertEquals("/", ContainerPaths.normalize("/a", ".."));
    }

    @Test
    void onlyTheConfinedCategoriesAreNotified() throws Exception {
        Policy exec = PolicyParser.parse("t", "sandbox/exec:on\n");
        var names = SupervisedSyscalls.program(exec).rules().stream().filter(r -> r.action() == SeccompAction.NOTIFY)
                .map(SyscallRule::syscall).toList();
        assertEquals(java.util.List.of("execve", "execveat"), names);
        Policy net = PolicyParser.parse("t", "sandbox/net:on\n");
        var rules = SupervisedSyscalls.program(net).rules();
        assertTrue(rules.stream().allMatch(r -> r.action() == SeccompAction.NOTIFY
                || r.origin().equals("policy: no bypass")));
        assertTrue(rules.stream().anyMatch(r -> r.syscall().equals("sendto") && r.conditions().size() == 1));
        // the address of a sendmsg is inside struct msghdr: every call is notified
        assertTrue(rules.stream().anyMatch(r -> r.syscall().equals("sendmsg") && r.conditions().isEmpty()));
        assertTrue(rules.stream().anyMatch(r -> r.syscall().equals("sendmmsg") && r.conditions().isEmpty()));
        Policy sendfd = PolicyParser.parse("t", "sandbox/net/sendfd:on\n");
        assertEquals(java.util.List.of("sendmsg", "sendmmsg"), SupervisedSyscalls.of(sendfd).stream()
                .map(SupervisedSyscalls.Entry::name).toList());
        Policy read = PolicyParser.parse("t", "sandbox/read:on\n");
        assertTrue(SupervisedSyscalls.of(read).stream().anyMatch(e -> e.name().equals("openat")));
        assertFalse(SupervisedSyscalls.of(read).stream().anyMatch(e -> e.categories().contains(Category.EXEC)));
    }

    @Test
    void aDecisionIsOneJsonLine() throws Exception {
        Policy p = PolicyParser.parse("pol", "sandbox/read:on\ndeny/read+/a\"b\n");
        var d = p.compile().decidePath(Category.READ, "/a\"b");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DecisionLog log = new DecisionLog(new PrintStream(out, true, StandardCharsets.UTF_8), "c1",
                Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));
        log.record(7, "openat", d, "path", "/a\"b\n");
        assertEquals("{\"time\":\"2026-01-02T03:04:05Z\",\"id\":\"c1\",\"pid\":7,\"syscall\":\"openat\","
                + "\"category\":\"read\",\"path\":\"/a\\\"b\\n\",\"action\":\"deny\",\"rule\":\"deny/read+/a\\\"b\","
                + "\"origin\":\"pol:2\"}\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDeadlineEndsOnceOrNotAtAll() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        Deadline d = Deadline.start(Duration.ofMillis(50), ended::countDown, "t-deadline");
        assertTrue(ended.await(5, TimeUnit.SECONDS));
        assertTrue(d.expired());
        d.close();
        assertTrue(d.expired(), "cancelling after expiry keeps the verdict");
        AtomicInteger runs = new AtomicInteger();
        Deadline e = Deadline.start(Duration.ofMillis(200), runs::incrementAndGet, "t-deadline");
        e.close();
        Thread.sleep(400);
        assertEquals(0, runs.get());
        assertFalse(e.expired());
    }
}
