package io.jsyd.runtime.trace;

import static io.jsyd.runtime.linux.LinuxConstants.MAP_ANONYMOUS;
import static io.jsyd.runtime.linux.LinuxConstants.MAP_SHARED;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_EXEC;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_READ;
import static io.jsyd.runtime.linux.LinuxConstants.PROT_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyParser;
import io.jsyd.runtime.policy.TraceCategory;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ptrace layer's decisions, from plain records. */
class TraceChecksTest {
    private static final long MAP_PRIVATE = 2;
    private static final byte[] DIGEST = HexFormat.of().parseHex("ab".repeat(32));
    private static final byte[] OTHER = HexFormat.of().parseHex("cd".repeat(32));

    private static Policy parse(String text) throws PolicyException {
        return PolicyParser.parse("test", text);
    }

    private static ExecImage image(String path, long dirUid, int dirMode, byte[] sha, boolean stack) {
        return new ExecImage(path, dirUid, dirMode, 0, 1000, Optional.ofNullable(sha), stack);
    }

    @Test
    void wxRefusesWritableExecutableAnonymousAndSharedExecutableMappings() throws PolicyException {
        var p = parse("trace/allow_unsafe_memory:0").trace();
        assertEquals("writable and executable mapping", TraceChecks.mmap(p, PROT_READ | PROT_WRITE | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS).orElseThrow().reason());
        assertEquals("executable anonymous mapping", TraceChecks.mmap(p, PROT_READ | PROT_EXEC,
                MAP_PRIVATE | MAP_ANONYMOUS).orElseThrow().reason());
        assertEquals("executable shared mapping", TraceChecks.mmap(p, PROT_READ | PROT_EXEC, MAP_SHARED)
                .orElseThrow().reason());
        Refusal r = TraceChecks.mmap(p, PROT_WRITE | PROT_EXEC, MAP_PRIVATE).orElseThrow();
        assertEquals(Errno.EACCES.number(), r.errno());
        assertEquals(Action.DENY, r.action());
        assertEquals("trace/allow_unsafe_memory:0", r.rule());
        assertTrue(TraceChecks.mmap(p, PROT_READ | PROT_EXEC, MAP_PRIVATE).isEmpty(), "a private file mapping of code");
        assertTrue(TraceChecks.mmap(p, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS).isEmpty());
        assertTrue(TraceChecks.mmap(parse("sandbox/tpe:on").trace(), PROT_WRITE | PROT_EXEC, MAP_ANONYMOUS).isEmpty(),
                "W^X off");
    }

    @Test
    void wxRefusesCodeMappedThroughAWritableFd() throws PolicyException {
        var p = parse("trace/allow_unsafe_memory:0").trace();
        assertTrue(TraceChecks.mappedFd(p, 0).isEmpty(), "O_RDONLY");
        assertTrue(TraceChecks.mappedFd(p, 02000000).isEmpty(), "O_RDONLY|O_CLOEXEC");
        assertEquals("executable mapping of a file open for writing", TraceChecks.mappedFd(p, 2).orElseThrow().reason());
        assertTrue(TraceChecks.mappedFd(p, 1).isPresent(), "O_WRONLY");
        assertTrue(TraceChecks.mappedFd(parse("sandbox/tpe:on").trace(), 2).isEmpty(), "W^X off");
    }

    @Test
    void wxRefusesExecAddedToWritableOrAnonymousMemory() throws PolicyException {
        var p = parse("trace/allow_unsafe_memory:0").trace();
        Mapping writableFile = Mapping.parse("7f0000000000-7f0000001000 rw-p 00000000 08:01 1234 /lib/x.so");
        Mapping anonymous = Mapping.parse("7f0000000000-7f0000001000 r--p 00000000 00:00 0");
        Mapping code = Mapping.parse("7f0000000000-7f0000001000 r--p 00000000 08:01 1234 /lib/x.so");
        assertEquals("exec added to writable memory",
                TraceChecks.mprotect(p, PROT_READ | PROT_EXEC, Optional.of(writableFile)).orElseThrow().reason());
        assertEquals("exec added to anonymous memory",
                TraceChecks.mprotect(p, PROT_READ | PROT_EXEC, Optional.of(anonymous)).orElseThrow().reason());
        assertTrue(TraceChecks.mprotect(p, PROT_READ | PROT_EXEC, Optional.of(code)).isEmpty());
        assertTrue(TraceChecks.mprotect(p, PROT_WRITE | PROT_EXEC, Optional.empty()).isPresent());
        assertTrue(TraceChecks.mprotect(p, PROT_READ, Optional.of(anonymous)).isEmpty());
    }

    @Test
    void tpeTrustsRootOwnedDirectoriesNobodyElseMayWrite() throws PolicyException {
        var p = parse("sandbox/tpe:on").trace();
        assertTrue(TraceChecks.exec(p, image("/usr/bin/a", 0, 040755, null, false)).isEmpty());
        Refusal tmp = TraceChecks.exec(p, image("/tmp/a", 0, 041777, null, false)).orElseThrow();
        assertEquals(TraceCategory.TPE, tmp.category());
        assertEquals("default/tpe:deny", tmp.rule());
        assertTrue(tmp.reason().contains("1777"), tmp.reason());
        assertTrue(TraceChecks.exec(p, image("/home/u/a", 1000, 040755, null, false)).isPresent());
        assertTrue(TraceChecks.exec(parse("sandbox/tpe:on\ntpe/user_owned:1").trace(),
                image("/home/u/a", 1000, 040755, null, false)).isEmpty(), "the caller's own directory");
        assertTrue(TraceChecks.exec(p, new ExecImage("/a", 100000, 040755, 100000, 0, Optional.empty(), false))
                .isEmpty(), "root of a user namespace, as the host sees it");
        assertEquals(Action.KILL, TraceChecks.exec(parse("sandbox/tpe:on\ndefault/tpe:kill").trace(),
                image("/tmp/a", 0, 040777, null, false)).orElseThrow().action());
    }

    @Test
    void forceComparesTheHashAndUsesTheRulesActionFirst() throws PolicyException {
        String hex = HexFormat.of().formatHex(DIGEST);
        var p = parse("sandbox/force:on\nforce+/bin/a:" + hex + "\nforce+/bin/b:" + hex + ":kill").trace();
        assertTrue(TraceChecks.exec(p, image("/bin/a", 0, 040755, DIGEST, false)).isEmpty());
        Refusal bad = TraceChecks.exec(p, image("/bin/a", 0, 040755, OTHER, false)).orElseThrow();
        assertEquals(Action.DENY, bad.action());
        assertEquals("force+/bin/a:" + hex, bad.rule());
        assertEquals(Action.KILL, TraceChecks.exec(p, image("/bin/b", 0, 040755, OTHER, false)).orElseThrow().action());
        Refusal unlisted = TraceChecks.exec(p, image("/bin/c", 0, 040755, DIGEST, false)).orElseThrow();
        assertEquals("default/force:deny", unlisted.rule());
        assertTrue(TraceChecks.exec(parse("sandbox/force:on\ndefault/force:allow").trace(),
                image("/bin/c", 0, 040755, DIGEST, false)).isEmpty());
    }

    @Test
    void anExecutableStackIsRefusedOnlyWithTheSwitch() throws PolicyException {
        Refusal r = TraceChecks.exec(parse("trace/allow_unsafe_stack:0").trace(), image("/x", 0, 040755, null, true))
                .orElseThrow();
        assertEquals(TraceCategory.STACK, r.category());
        assertEquals(Errno.EACCES.number(), r.errno());
        assertTrue(TraceChecks.exec(parse("sandbox/tpe:on").trace(), image("/x", 0, 040755, null, true)).isEmpty());
    }

    @Test
    void memoryIsRefusedWhenTheSumReachesALimit() throws PolicyException {
        Policy p = parse("mem/max:64M\nmem/vm_max:1G");
        assertTrue(TraceChecks.memory(p.trace(), p.limits(), 32L << 20, 100L << 20, 1L << 20).isEmpty());
        Refusal pss = TraceChecks.memory(p.trace(), p.limits(), 63L << 20, 100L << 20, 1L << 20).orElseThrow();
        assertEquals(Errno.ENOMEM.number(), pss.errno());
        assertTrue(pss.reason().contains("mem/max"), pss.reason());
        Refusal vm = TraceChecks.memory(p.trace(), p.limits(), 0, 1023L << 20, 1L << 20).orElseThrow();
        assertTrue(vm.reason().contains("mem/vm_max"), vm.reason());
        assertTrue(TraceChecks.memory(p.trace(), p.limits(), 63L << 20, 0, -4096).isEmpty(), "shrinking");
    }

    @Test
    void tasksAreRefusedAtPidMax() throws PolicyException {
        Policy p = parse("pid/max:4");
        assertTrue(TraceChecks.tasks(p.trace(), p.limits(), 3).isEmpty());
        Refusal r = TraceChecks.tasks(p.trace(), p.limits(), 4).orElseThrow();
        assertEquals(Errno.EAGAIN.number(), r.errno());
        assertEquals(Action.KILL, r.action(), "Syd's default for pid");
        assertFalse(TraceChecks.tasks(parse("pid/max:4\nsandbox/pid:off").trace(), p.limits(), 10).isPresent());
    }
}
