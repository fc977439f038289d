package io.jsyd.runtime.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.runtime.InitStubException;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.linux.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("root")
class StubLauncherTest {
    @BeforeAll
    static void root() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces");
    }

    private static Plan shell(String script, Plan.Builder setup) {
        Plan.Builder b = setup;
        b.add(OpCode.EXECVE, "process.args", new long[] {3, -1}, "/bin/sh", "sh", "-c", script, "PATH=/usr/bin:/bin");
        return b.build();
    }

    @Test
    void runsThePlanInNewNamespacesAndReportsThePid(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Plan.Builder b = new Plan.Builder()
                .add(OpCode.UNSHARE, "linux.namespaces", new long[] {LinuxConstants.CLONE_NEWUTS | LinuxConstants.CLONE_NEWPID})
                .add(OpCode.CLONE_INIT, "", new long[] {0})
                .add(OpCode.SETHOSTNAME, "hostname", "jsyd-test");
        List<Integer> syncs = new ArrayList<>();
        try (InitStub stub = InitStub.load()) {
            Launched l = StubLauncher.launch(stub, shell("echo $$ $(hostname) > " + out, b), 0, (id, pid) -> {
                syncs.add(id);
                return true;
            });
            Processes.WaitStatus st = Processes.waitFor(l.initPid());
            assertEquals(0, st.exitCode());
        }
        assertEquals("1 jsyd-test", Files.readString(out).strip());
        assertEquals(List.of(), syncs);
    }

    @Test
    void syncWaitsForTheParent(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Plan.Builder b = new Plan.Builder()
                .add(OpCode.SYNC, "", new long[] {7})
                .add(OpCode.CLONE_INIT, "", new long[] {0})
                .add(OpCode.SYNC, "", new long[] {8});
        try (InitStub stub = InitStub.load()) {
            Launched l = StubLauncher.launch(stub, shell("cat " + dir.resolve("in") + " > " + out, b), 0, (id, pid) -> {
                try {
                    Files.writeString(dir.resolve("in"), Files.exists(dir.resolve("in"))
                            ? Files.readString(dir.resolve("in")) + id : "" + id);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return true;
            });
            assertEquals(0, Processes.waitFor(l.initPid()).exitCode());
        }
        assertEquals("78", Files.readString(out));
    }

    @Test
    void aFailingOpIsReportedWithItsOriginAndNothingIsLeft(@TempDir Path dir) {
        Plan.Builder b = new Plan.Builder()
                .add(OpCode.CLONE_INIT, "", new long[] {0})
                .add(OpCode.CHDIR, "process.cwd", dir.resolve("missing").toString());
        try (InitStub stub = InitStub.load()) {
            InitStubException e = assertThrows(InitStubException.class,
                    () -> StubLauncher.launch(stub, shell("true", b), 0, (id, pid) -> true));
            assertEquals(1, e.opIndex());
            assertEquals("process.cwd: chdir " + dir.resolve("missing") + ": ENOENT (no such file or directory)",
                    e.getMessage());
        }
    }

    @Test
    void execOfAMissingProgramFails() {
        Plan p = new Plan.Builder()
                .add(OpCode.CLONE_INIT, "", new long[] {0})
                .add(OpCode.EXECVE, "process.args[0]", new long[] {1, -1}, "no-such-program", "no-such-program",
                        "PATH=/usr/bin:/bin")
                .build();
        try (InitStub stub = InitStub.load()) {
            InitStubException e = assertThrows(InitStubException.class,
                    () -> StubLauncher.launch(stub, p, 0, (id, pid) -> true));
            assertTrue(e.getMessage().startsWith("process.args[0]: exec no-such-program"), e.getMessage());
        }
    }
}
