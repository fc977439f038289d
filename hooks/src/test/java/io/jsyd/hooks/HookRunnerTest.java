package io.jsyd.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookRunnerTest {
    @TempDir
    Path dir;

    private static Hook sh(String script, Duration timeout, String... env) {
        return new Hook("/bin/sh", List.of("hook-argv0", "-c", script), List.of(env), timeout);
    }

    @Test
    void givesStateOnStdinArgv0AndOnlyTheConfiguredEnv() throws Exception {
        Path out = dir.resolve("seen");
        Hook h = new Hook("/bin/sh", List.of("my-argv0", "-c",
                "cat > " + out + ".state; echo \"$0\" > " + out + ".argv0; env > " + out + ".env; pwd > " + out + ".cwd"),
                List.of("FOO=bar"), null);
        HookRunner.run(HookKind.CREATE_RUNTIME, 0, h, "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), dir);
        assertEquals("{\"id\":\"x\"}", Files.readString(Path.of(out + ".state")));
        assertEquals("my-argv0\n", Files.readString(Path.of(out + ".argv0")));
        assertEquals(dir.toRealPath() + "\n", Files.readString(Path.of(out + ".cwd")));
        List<String> env = Files.readAllLines(Path.of(out + ".env"));
        assertTrue(env.contains("FOO=bar"), env.toString());
        assertFalse(env.stream().anyMatch(e -> e.startsWith("JAVA_HOME=")), env.toString());
    }

    @Test
    void failureNamesKindIndexPathStatusAndStderr() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> HookRunner.runAll(HookKind.PRESTART,
                List.of(sh("exit 0", null), sh("echo boom >&2; exit 3", null)), new byte[0], null));
        assertEquals(1, e.index());
        assertEquals(HookKind.PRESTART, e.kind());
        assertEquals("prestart hook #1 (/bin/sh): exited with status 3: output: boom", e.getMessage());
    }

    @Test
    void missingExecutableIsAFailureNotACrash() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> HookRunner.run(HookKind.POSTSTOP, 0,
                new Hook(dir.resolve("absent").toString(), List.of(), List.of(), null), new byte[0], null));
        assertTrue(e.getMessage().startsWith("poststop hook #0 (" + dir.resolve("absent") + "): could not be started"),
                e.getMessage());
    }

    @Test
    void timeoutKillsTheHookAndEverythingItForked() throws Exception {
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        HookFailedException e = assertThrows(HookFailedException.class, () -> HookRunner.run(HookKind.CREATE_RUNTIME, 2,
                sh("sleep 100 & echo $! > " + pids + "; echo waiting >&2; wait", Duration.ofMillis(300)), new byte[0], null));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 5000, "took " + ms + " ms");
        assertEquals("createRuntime hook #2 (/bin/sh): timed out after 300ms and was killed: output: waiting",
                e.getMessage());
        int child = Integer.parseInt(Files.readString(pids).strip());
        // the backgrounded sleep was in the hook's group: it must be gone (or a zombie of init)
        awaitGone(child);
    }

    @Test
    void timeoutKillsAChildThatLeftTheHooksProcessGroup() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")), "needs setsid(1)");
        Path pids = dir.resolve("pids");
        // setsid(1) in the background is no group leader, so it calls setsid() and execs sleep in place
        HookFailedException e = assertThrows(HookFailedException.class, () -> HookRunner.run(HookKind.PRESTART, 0,
                sh("/usr/bin/setsid sleep 101 & echo $! > " + pids + "; wait", Duration.ofMillis(500)), new byte[0],
                null));
        assertTrue(e.getMessage().contains("timed out after 500ms and was killed"), e.getMessage());
        int child = Integer.parseInt(Files.readString(pids).strip());
        awaitGone(child);
    }

    @Test
    void stderrIsBounded() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> HookRunner.run(HookKind.PRESTART, 0,
                sh("head -c 100000 /dev/zero | tr '\\0' x >&2; exit 1", null), new byte[0], null));
        assertTrue(e.stderr().length() < HookRunner.STDERR_LIMIT + 100, "stderr of " + e.stderr().length());
        assertTrue(e.stderr().endsWith("(truncated)"));
    }

    @Test
    void warningKindsRunEveryHookAndReturnTheFailures() throws Exception {
        Path mark = dir.resolve("mark");
        List<HookFailedException> f = HookRunner.runWarning(HookKind.POSTSTOP,
                List.of(sh("exit 1", null), sh("touch " + mark, null)), new byte[0], null);
        assertEquals(1, f.size());
        assertEquals(0, f.getFirst().index());
        assertTrue(Files.exists(mark));
    }

    private static void awaitGone(int pid) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return;
                }
            } catch (java.io.IOException gone) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("pid " + pid + " still runs");
    }
}
