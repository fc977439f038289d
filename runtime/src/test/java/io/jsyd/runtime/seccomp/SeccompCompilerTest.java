package io.jsyd.runtime.seccomp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The compiler on its own: what goes into the BPF program and what is refused. Needs libseccomp, not root. */
class SeccompCompilerTest {
    /** AUDIT_ARCH_I386 and AUDIT_ARCH_X86_64 from linux/audit.h, as the program compares seccomp_data.arch. */
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;

    private static SeccompCompiler compiler;

    @BeforeAll
    static void library() {
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        compiler = SeccompCompiler.system();
    }

    private static SeccompCompiler.Result compile(SeccompAction defaultAction, List<String> archs, SyscallRule... rules) {
        return compiler.compile(new SeccompProgram(defaultAction, archs, Set.of(), List.of(rules)));
    }

    /** The k operands of the program's instructions (struct sock_filter: u16 code, u8 jt, u8 jf, u32 k). */
    private static List<Integer> constants(SeccompFilter f) {
        ByteBuffer b = ByteBuffer.wrap(f.program()).order(ByteOrder.nativeOrder());
        List<Integer> ks = new ArrayList<>();
        for (int i = 0; i < f.instructions(); i++) {
            ks.add(b.getInt(i * 8 + 4));
        }
        return ks;
    }

    @Test
    void theProgramChecksTheArchitectureFirstAndEndsInAReturn() {
        SeccompFilter f = compile(SeccompAction.ALLOW, List.of(), new SyscallRule("getpid", SeccompAction.errno(1)))
                .filter();
        ByteBuffer b = ByteBuffer.wrap(f.program()).order(ByteOrder.nativeOrder());
        // ld [4]: seccomp_data.arch
        assertEquals(0x20, b.getShort(0));
        assertEquals(4, b.getInt(4));
        // BPF_RET | BPF_K
        assertEquals(0x06, b.getShort((f.instructions() - 1) * 8));
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the arch constant below is x86_64's");
        assertTrue(constants(f).contains(AUDIT_ARCH_X86_64));
        assertFalse(constants(f).contains(AUDIT_ARCH_I386));
    }

    @Test
    void extraArchitecturesAreInTheProgram() {
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "x86 is a sub-architecture of x86_64 only");
        SeccompFilter f = compile(SeccompAction.ALLOW, List.of("x86_64", "x86", "x32"),
                new SyscallRule("getpid", SeccompAction.errno(1))).filter();
        assertTrue(constants(f).contains(AUDIT_ARCH_I386), constants(f).toString());
    }

    @Test
    void anArchitectureTheLibraryDoesNotKnowIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> compile(SeccompAction.ALLOW, List.of("vax")));
        assertTrue(e.getMessage().contains("\"vax\" is not known to libseccomp"), e.getMessage());
    }

    @Test
    void unknownSyscallsAreSkippedAndReported() {
        SyscallRule bogus = new SyscallRule("no_such_syscall", SeccompAction.errno(1), List.of(), "$.x.names[1]");
        SeccompCompiler.Result with = compile(SeccompAction.ALLOW, List.of(),
                new SyscallRule("getpid", SeccompAction.errno(1)), bogus);
        assertEquals(List.of(bogus), with.skipped());
        SeccompCompiler.Result without = compile(SeccompAction.ALLOW, List.of(), new SyscallRule("getpid", SeccompAction.errno(1)));
        assertEquals(without.filter(), with.filter());
    }

    @Test
    void aRuleThatRepeatsTheDefaultChangesNothing() {
        SeccompFilter plain = compile(SeccompAction.errno(38), List.of(), new SyscallRule("getpid", SeccompAction.ALLOW)).filter();
        SeccompFilter repeated = compile(SeccompAction.errno(38), List.of(), new SyscallRule("getpid", SeccompAction.ALLOW),
                new SyscallRule("getppid", SeccompAction.errno(38))).filter();
        assertEquals(plain, repeated);
        // a different errno is a different action
        assertNotEquals(plain, compile(SeccompAction.errno(38), List.of(), new SyscallRule("getpid", SeccompAction.ALLOW),
                new SyscallRule("getppid", SeccompAction.errno(1))).filter());
    }

    @Test
    void theErrnoAndTheTraceMessageAreInTheReturnValues() {
        SeccompFilter f = compile(SeccompAction.ALLOW, List.of(), new SyscallRule("getpid", SeccompAction.errno(0xffe)),
                new SyscallRule("getppid", SeccompAction.trace(0x4321))).filter();
        assertTrue(constants(f).contains((int) (SeccompConstants.SECCOMP_RET_ERRNO | 0xffe)));
        assertTrue(constants(f).contains((int) (SeccompConstants.SECCOMP_RET_TRACE | 0x4321)));
    }

    @Test
    void aNotifyRuleAsksForAListener() {
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        SeccompFilter f = compile(SeccompAction.ALLOW, List.of(), new SyscallRule("getpid", SeccompAction.NOTIFY)).filter();
        assertTrue(f.listener());
        assertEquals(SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER, f.flags());
        SeccompFilter flagged = compiler.compile(new SeccompProgram(SeccompAction.ALLOW, List.of(),
                Set.of(FilterFlag.LOG, FilterFlag.WAIT_KILLABLE_RECV), List.of(new SyscallRule("getpid", SeccompAction.NOTIFY))))
                .filter();
        assertEquals(SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER | SeccompConstants.SECCOMP_FILTER_FLAG_LOG
                | SeccompConstants.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, flagged.flags());
        assertArrayEquals(f.program(), flagged.program(), "flags are for seccomp(2), not in the program");
    }

    @Test
    void aConditionalRuleThatClashesWithAnotherIsRejectedWithItsOrigin() {
        SyscallRule first = new SyscallRule("getpid", SeccompAction.errno(1), List.of(new ArgCondition(0, ArgOperator.EQ, 1)),
                "$.linux.seccomp.syscalls[0].names[0]");
        SyscallRule second = new SyscallRule("getpid", SeccompAction.errno(2), List.of(new ArgCondition(0, ArgOperator.EQ, 1)),
                "$.linux.seccomp.syscalls[1].names[0]");
        SeccompCompiler.RejectedRuleException e = assertThrows(SeccompCompiler.RejectedRuleException.class,
                () -> compile(SeccompAction.ALLOW, List.of(), first, second));
        assertEquals(second, e.rule());
        assertEquals(io.jsyd.runtime.linux.Errno.EEXIST.number(), e.errno());
    }

    @Test
    void conditionsOnOneArgumentAreSplitIntoRules() {
        ArgCondition a0 = new ArgCondition(0, ArgOperator.EQ, 1);
        ArgCondition a1 = new ArgCondition(1, ArgOperator.EQ, 2);
        ArgCondition a1b = new ArgCondition(1, ArgOperator.NE, 3);
        assertEquals(List.of(List.of(a0, a1)), SeccompCompiler.split(List.of(a0, a1)));
        assertEquals(List.of(List.of(a0), List.of(a1), List.of(a1b)), SeccompCompiler.split(List.of(a0, a1, a1b)));
        assertEquals(List.of(List.of()), SeccompCompiler.split(List.of()));
    }

    @Test
    void theRecordsRefuseWhatNoKernelTakes() {
        assertThrows(IllegalArgumentException.class, () -> SeccompAction.errno(0x10000));
        assertThrows(IllegalArgumentException.class, () -> SeccompAction.trace(-1));
        assertThrows(IllegalArgumentException.class, () -> new ArgCondition(6, ArgOperator.EQ, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new SeccompProgram(SeccompAction.NOTIFY, List.of(), Set.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SeccompProgram(SeccompAction.ALLOW, List.of(),
                Set.of(FilterFlag.WAIT_KILLABLE_RECV), List.of(new SyscallRule("getpid", SeccompAction.errno(1)))));
        assertThrows(IllegalArgumentException.class, () -> new SeccompFilter(new byte[12], 0, false));
        assertThrows(IllegalArgumentException.class, () -> new SeccompFilter(new byte[8], 0, true));
    }

    @Test
    void theLibraryDescribesItself() {
        Libseccomp lib = Libseccomp.get();
        // the loader's file name and the library's own answer agree
        LibseccompVersion.installed().ifPresent(v -> assertEquals(v, lib.version()));
        assertTrue(lib.apiLevel() >= 1);
        assertTrue(lib.syscall("getpid").isPresent());
        assertTrue(lib.syscall("no_such_syscall").isEmpty());
        assertTrue(lib.architecture("vax").isEmpty());
        for (ArgOperator op : ArgOperator.values()) {
            assertTrue(lib.accepts(op), op.toString());
        }
        assertTrue(lib.accepts(SeccompAction.ALLOW));
        assertTrue(lib.accepts(SeccompAction.errno(1)));
    }
}
