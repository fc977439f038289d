package io.jsyd.runtime.seccomp;

import static io.jsyd.runtime.seccomp.ArgOperator.EQ;
import static io.jsyd.runtime.seccomp.ArgOperator.GE;
import static io.jsyd.runtime.seccomp.ArgOperator.GT;
import static io.jsyd.runtime.seccomp.ArgOperator.LE;
import static io.jsyd.runtime.seccomp.ArgOperator.LT;
import static io.jsyd.runtime.seccomp.ArgOperator.MASKED_EQ;
import static io.jsyd.runtime.seccomp.ArgOperator.NE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Processes;
import io.jsyd.runtime.spawn.InitStub;
import io.jsyd.runtime.spawn.Launched;
import io.jsyd.runtime.spawn.OpCode;
import io.jsyd.runtime.spawn.Plan;
import io.jsyd.runtime.spawn.PlanOp;
import io.jsyd.runtime.spawn.StubLauncher;
import io.jsyd.runtime.spawn.SyncHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compiled filters loaded by the real kernel, seen from inside: the init stub (no
 * namespaces, so no root needed) sets no_new_privs, loads the filter as the plan's
 * SECCOMP_LOAD op and execs the probe, which makes one getpriority call with the
 * arguments the test picks. getpriority(999, ...) is harmless: the kernel answers
 * EINVAL for the unknown "which", so any other verdict is the filter's.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FilterInKernelTest {
    private static final int SIGSYS_STATUS = 128 + 31;
    private static final String PASSED = "rc=-1 errno=22";

    @TempDir
    static Path dir;
    private static Path probe;
    private static InitStub stub;
    private static int getpriority;

    @BeforeAll
    static void buildProbe() throws Exception {
        assumeTrue(Libseccomp.load().isPresent(), Libseccomp.unavailableReason());
        probe = ProbeBinary.build(dir);
        assumeTrue(probe != null, "needs gcc and static glibc to build the probe");
        stub = InitStub.load();
        getpriority = Libseccomp.get().syscall("getpriority").orElseThrow();
    }

    @AfterAll
    static void closeStub() {
        if (stub != null) {
            stub.close();
        }
    }

    record Run(int status, String output) {
    }

    private static SeccompFilter compile(SeccompAction defaultAction, Set<FilterFlag> flags, SyscallRule... rules) {
        SeccompCompiler.Result r = SeccompCompiler.system().compile(
                new SeccompProgram(defaultAction, List.of(), flags, List.of(rules)));
        assertEquals(List.of(), r.skipped());
        return r.filter();
    }

    private static SeccompFilter compile(SyscallRule... rules) {
        return compile(SeccompAction.ALLOW, Set.of(), rules);
    }

    private static Launched start(SeccompFilter filter, Path out, String... probeArgs) {
        return start(filter, out, (id, pid) -> true, probeArgs);
    }

    private static Launched start(SeccompFilter filter, Path out, SyncHandler handler, String... probeArgs) {
        List<String> exec = new ArrayList<>(List.of(probe.toString(), "seccomp-probe", "-o", out.toString()));
        exec.addAll(List.of(probeArgs));
        Plan plan = new Plan.Builder()
                .add(OpCode.CLONE_INIT, "", new long[] {0})
                .add(OpCode.CLOSE_FDS, "", new long[] {3})
                .add(OpCode.PRCTL, "process.noNewPrivileges", new long[] {LinuxConstants.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0})
                .add(new PlanOp(OpCode.SECCOMP_LOAD, new long[] {filter.flags(), filter.listener() ? 1 : 0},
                        List.of(filter.program()), "linux.seccomp"))
                .add(OpCode.EXECVE, "process.args", new long[] {exec.size() - 1, -1}, exec.toArray(String[]::new))
                .build();
        return StubLauncher.launch(stub, plan, 0, handler);
    }

    private static Run run(SeccompFilter filter, String... probeArgs) throws Exception {
        Path out = Files.createTempFile(dir, "out", "");
        Launched l = start(filter, out, probeArgs);
        int status = Processes.waitFor(l.initPid()).exitCode();
        l.fds().forEach(Fd::close);
        return new Run(status, Files.readString(out).strip());
    }

    /** The probe's getpriority(which, who) under the filter. */
    private static Run call(SeccompFilter filter, long which, long who, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of(Integer.toString(getpriority), Long.toUnsignedString(which), Long.toUnsignedString(who)));
        return run(filter, args.toArray(String[]::new));
    }

    private static SyscallRule onWhich(long which, SeccompAction action) {
        return new SyscallRule("getpriority", action, new ArgCondition(0, EQ, which));
    }

    /** Several rules for one syscall, one per action, told apart by the first argument. */
    private static SeccompFilter actions() {
        return compile(
                onWhich(100, SeccompAction.errno(42)),
                onWhich(101, SeccompAction.KILL_THREAD),
                onWhich(102, SeccompAction.KILL_PROCESS),
                onWhich(103, SeccompAction.TRAP),
                onWhich(104, SeccompAction.trace(7)),
                onWhich(105, SeccompAction.LOG),
                onWhich(106, SeccompAction.ALLOW));
    }

    @Test
    void errnoReturnsTheChosenErrno() throws Exception {
        assertEquals(new Run(0, "rc=-1 errno=42"), call(actions(), 100, 0));
        assertEquals(new Run(0, PASSED), call(actions(), 999, 0), "no rule matches: the default allows");
    }

    @Test
    void killThreadKillsTheCallingThreadOnly() throws Exception {
        Run r = call(actions(), 101, 0, "-t");
        assertEquals(new Run(0, "main alive"), r);
        assertEquals(SIGSYS_STATUS, call(actions(), 101, 0).status(), "a single thread's death ends the process");
    }

    @Test
    void killProcessKillsEveryThread() throws Exception {
        assertEquals(new Run(SIGSYS_STATUS, ""), call(actions(), 102, 0, "-t"));
    }

    @Test
    void trapSendsSigsysWithTheSyscall() throws Exception {
        // SYS_SECCOMP is si_code 1
        assertEquals(new Run(0, "sigsys nr=" + getpriority + " data=0 code=1"), call(actions(), 103, 0, "-s"));
        assertEquals(SIGSYS_STATUS, call(actions(), 103, 0).status(), "without a handler SIGSYS kills");
    }

    @Test
    void traceWithoutATracerFailsWithEnosys() throws Exception {
        assertEquals(new Run(0, "rc=-1 errno=38"), call(actions(), 104, 0));
    }

    @Test
    void logAndAllowLetTheCallThrough() throws Exception {
        assertEquals(new Run(0, "rc=-1 errno=22"), call(actions(), 105, 0));
        assertEquals(new Run(0, "rc=-1 errno=22"), call(actions(), 106, 0));
        // a valid call returns the priority, 20 - nice, untouched
        assertTrue(call(actions(), 0, 0).output().matches("rc=\\d+ errno=0"));
    }

    @ParameterizedTest(name = "{0} {1}: {2} matches={3}")
    @CsvSource({
        "NE, 7, 7, false", "NE, 7, 8, true",
        "LT, 10, 9, true", "LT, 10, 10, false", "LT, 10, 11, false",
        "LE, 10, 10, true", "LE, 10, 11, false", "LE, 10, 9, true",
        "EQ, 10, 10, true", "EQ, 10, 0x10000000a, false",
        "GE, 10, 10, true", "GE, 10, 9, false", "GE, 0x100000000, 0xffffffff, false",
        "GT, 0x100000000, 0x100000001, true", "GT, 0x100000000, 0x100000000, false", "GT, 10, 0x100000000, true",
    })
    void everyOperatorComparesAll64Bits(ArgOperator op, String value, String arg, boolean matches) throws Exception {
        SeccompFilter f = compile(new SyscallRule("getpriority", SeccompAction.errno(50),
                new ArgCondition(1, op, Long.decode(value))));
        assertEquals(matches ? "rc=-1 errno=50" : PASSED, call(f, 999, Long.decode(arg)).output());
    }

    @ParameterizedTest(name = "mask {0} value {1}: {2} matches={3}")
    @CsvSource({
        "0xff00, 0x1200, 0x12ab, true", "0xff00, 0x1200, 0x13ab, false",
        "0xf00000000, 0x300000000, 0x3deadbeef, true", "0xf00000000, 0x300000000, 0x4deadbeef, false",
    })
    void maskedEqualsComparesTheMaskedArgument(String mask, String value, String arg, boolean matches) throws Exception {
        SeccompFilter f = compile(new SyscallRule("getpriority", SeccompAction.errno(51),
                new ArgCondition(1, MASKED_EQ, Long.decode(mask), Long.decode(value))));
        assertEquals(matches ? "rc=-1 errno=51" : PASSED, call(f, 999, Long.decode(arg)).output());
    }

    @Test
    void conditionsOnDifferentArgumentsMustAllHold() throws Exception {
        SeccompFilter f = compile(new SyscallRule("getpriority", SeccompAction.errno(52),
                new ArgCondition(0, EQ, 999), new ArgCondition(1, GT, 5)));
        assertEquals("rc=-1 errno=52", call(f, 999, 6).output());
        assertEquals(PASSED, call(f, 999, 5).output());
        assertEquals("rc=-1 errno=22", call(f, 998, 6).output());
    }

    @Test
    void conditionsOnTheSameArgumentAreEachEnough() throws Exception {
        SeccompFilter f = compile(new SyscallRule("getpriority", SeccompAction.errno(53),
                new ArgCondition(1, EQ, 7), new ArgCondition(1, EQ, 8)));
        assertEquals("rc=-1 errno=53", call(f, 999, 7).output());
        assertEquals("rc=-1 errno=53", call(f, 999, 8).output());
        assertEquals(PASSED, call(f, 999, 9).output());
    }

    @Test
    void theDefaultActionAppliesBeforeExecve() {
        // the default errno reaches the stub's own execve: the filter is loaded when the op
        // says; the stub can still report it (send) and exit
        SeccompFilter f = compile(SeccompAction.errno(77), Set.of(), new SyscallRule("sendto", SeccompAction.ALLOW),
                new SyscallRule("exit_group", SeccompAction.ALLOW));
        InitStubException e = assertThrows(InitStubException.class,
                () -> start(f, dir.resolve("unused"), Integer.toString(getpriority)));
        assertEquals(77, e.errno(), e.getMessage());
    }

    @Test
    void filterFlagsTheKernelTakesLoad() throws Exception {
        Libseccomp lib = Libseccomp.get();
        for (FilterFlag flag : List.of(FilterFlag.LOG, FilterFlag.SPEC_ALLOW)) {
            assumeTrue(lib.kernelAccepts(flag), flag + " is not offered by this kernel");
            SeccompFilter f = compile(SeccompAction.ALLOW, Set.of(flag), onWhich(100, SeccompAction.errno(42)));
            assertEquals(flag.bit(), f.flags());
            assertEquals("rc=-1 errno=42", call(f, 100, 0).output(), flag.toString());
        }
    }

    @Test
    void notifyHandsTheListenerToTheParentWhichAnswers() throws Exception {
        Libseccomp lib = Libseccomp.get();
        assumeTrue(lib.accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        Set<FilterFlag> flags = lib.kernelAccepts(FilterFlag.WAIT_KILLABLE_RECV) ? Set.of(FilterFlag.WAIT_KILLABLE_RECV) : Set.of();
        SeccompFilter f = compile(SeccompAction.ALLOW, flags, onWhich(200, SeccompAction.NOTIFY));
        assertTrue(f.listener());
        for (int errno : new int[] {0, 18}) {
            Path out = Files.createTempFile(dir, "notify", "");
            Launched l = start(f, out, Integer.toString(getpriority), "200", "0x1122334455667788");
            try {
                assertEquals(1, l.fds().size(), "the stub sends exactly the listener");
                int listener = l.fds().getFirst().get();
                NotifyAnswerer.Request req = assertTimeoutPreemptively(Duration.ofSeconds(20),
                        () -> NotifyAnswerer.receive(listener));
                assertEquals(getpriority, req.nr());
                assertEquals(l.initPid(), req.pid());
                assertEquals(200, req.args()[0]);
                assertEquals(0x1122334455667788L, req.args()[1]);
                NotifyAnswerer.answer(listener, req, 4242, errno);
                assertEquals(0, Processes.waitFor(l.initPid()).exitCode());
            } finally {
                l.fds().forEach(Fd::close);
            }
            assertEquals(errno == 0 ? "rc=4242 errno=0" : "rc=-1 errno=18", Files.readString(out).strip());
        }
    }

    @Test
    void theListenerReachesItsUserBeforeTheInitExecs() throws Exception {
        assumeTrue(Libseccomp.get().accepts(SeccompAction.NOTIFY), "SCMP_ACT_NOTIFY is not offered here");
        // the stub's own execve is notified: only a listener handed over before the
        // launch returns (it returns after the exec) can let it through
        SeccompFilter f = compile(SeccompAction.ALLOW, Set.of(), new SyscallRule("execve", SeccompAction.NOTIFY));
        Path out = Files.createTempFile(dir, "exec", "");
        CompletableFuture<NotifyAnswerer.Request> seen = new CompletableFuture<>();
        Launched l = start(f, out, new SyncHandler() {
            @Override
            public boolean onSync(int syncId, int pid) {
                return true;
            }

            @Override
            public void onFd(int opIndex, Fd fd, int pid) {
                Thread.ofVirtual().start(() -> {
                    NotifyAnswerer.Request r = NotifyAnswerer.receive(fd.get());
                    NotifyAnswerer.letRun(fd.get(), r);
                    seen.complete(r);
                });
            }
        }, Integer.toString(getpriority), "0", "0");
        try {
            assertEquals(Libseccomp.get().syscall("execve").orElseThrow(), seen.get(20, TimeUnit.SECONDS).nr());
            assertEquals(0, Processes.waitFor(l.initPid()).exitCode());
        } finally {
            l.fds().forEach(Fd::close);
        }
        assertTrue(Files.readString(out).matches("rc=\\d+ errno=0\n"), Files.readString(out));
    }
}
